// `epinet detect` against R's surveillance package, computed in the same run:
// R (Rscript) runs earsC, farringtonFlexible (the two presets of the
// package's monitoringCounts vignette) and algo.cusum on several of the
// package's data sets and on 100 simulated series, and writes each input and
// its answers as CSV; epinet runs on the same input with the same settings;
// the test wants identical alarms and upper bounds within 1e-6 relative,
// |ub_epinet - ub_R| <= 1e-6 * max(1, |ub_R|), NA where R has NA.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { BIN, runCli, tmpDir } from '../lib/harness.mjs';

const TOLERANCE = 1e-6;
const R_PARTS = 2; // R is the slow side: two Rscript processes share the cases

const R_SCRIPT = String.raw`
# Runs R's surveillance detectors on the package's data sets and on simulated
# series; writes each input as CSV (series,t,count[,date]) and R's answers as
# CSV (series,t,upperbound,alarm), plus a manifest of the epinet arguments.
args <- commandArgs(TRUE)
dir <- args[1]; part <- as.integer(args[2]); nparts <- as.integer(args[3])
suppressMessages(library(surveillance))
options(warn = -1)
num <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", x))
lgl <- function(a) ifelse(is.na(a), "NA", ifelse(a, "1", "0"))

# --- series sets (the same in every part, so every part can write any input) --
sets <- list()
data(ha.sts); sets$ha <- ha.sts
data(salmNewport); sets$salmNewport <- salmNewport
sets$salmNewportGermany <- aggregate(salmNewport, by = "unit")
data(shadar); sets$shadar <- disProg2sts(shadar)
data(influMen); sets$influMen <- disProg2sts(influMen)
data(momo); sets$momo <- momo

set.seed(20261129)
nw <- 6 * 52
simw <- sapply(1:95, function(i) {
  t <- 1:nw
  base <- if (i %% 7 == 0) runif(1, 0.05, 0.4) else exp(runif(1, log(0.5), log(40)))
  mu <- base * exp(runif(1, -0.15, 0.15) * t / 52 + runif(1, -0.8, 0.8) * sin(2 * pi * t / 52) +
                   runif(1, -0.8, 0.8) * cos(2 * pi * t / 52))
  y <- rnbinom(nw, size = runif(1, 1, 25), mu = mu)
  if (i %% 3 == 0) { s <- sample(nw - 60, 1) + 50; y[s:(s + 3)] <- y[s:(s + 3)] + rpois(4, 3 * max(2, mean(mu))) }
  if (i %% 10 == 0) y[sample(nw, 15)] <- NA
  if (i %% 10 == 5) y[(nw - 5):(nw - 3)] <- NA
  y
})
colnames(simw) <- sprintf("w%02d", 1:95)
sets$simWeekly <- sts(observed = simw, start = c(2015, 1), frequency = 52)
days <- seq(as.Date("2018-01-01"), as.Date("2021-12-31"), by = "day")
simd <- sapply(1:5, function(i) {
  t <- seq_along(days)
  mu <- exp(runif(1, log(2), log(30))) * exp(0.5 * sin(2 * pi * t / 365.25) + 0.2 * (as.POSIXlt(days)$wday %in% c(0, 6)))
  y <- rnbinom(length(days), size = 10, mu = mu)
  if (i == 5) y[sample(length(days), 30)] <- NA
  y
})
colnames(simd) <- sprintf("d%d", 1:5)
sets$simDaily <- sts(observed = simd, epoch = as.numeric(days), epochAsDate = TRUE, frequency = 365)
# Two series with a growing population, for populationOffset = TRUE.
pop <- sapply(1:2, function(i) round(1e5 * exp(seq(0, runif(1, 0.2, 0.8), length.out = nw))))
simp <- sapply(1:2, function(i) rnbinom(nw, size = 10, mu = pop[, i] / 2e4 * exp(0.5 * sin(2 * pi * (1:nw) / 52))))
simp[c(60, 200), 2] <- NA
colnames(simp) <- c("p1", "p2")
sets$simPopulation <- sts(observed = simp, population = pop, start = c(2015, 1), frequency = 52)
data(rotaBB); sets$rotaBB <- rotaBB

# Series names as CSV-safe words (momo's are age groups such as "[0,1)").
names_of <- function(x) {
  cols <- colnames(observed(x))
  if (is.null(cols)) paste0("s", seq_len(ncol(observed(x)))) else gsub("[^A-Za-z0-9._-]", "_", cols)
}
write_input <- function(name, x) {
  obs <- observed(x); n <- nrow(obs)
  f <- file.path(dir, paste0(name, ".csv"))
  if (file.exists(f)) return(invisible())
  cols <- names_of(x)
  dated <- x@epochAsDate
  withpop <- name == "simPopulation"
  lines <- unlist(lapply(seq_len(ncol(obs)), function(j) {
    l <- paste(cols[j], 1:n, ifelse(is.na(obs[, j]), "NA", obs[, j]), sep = ",")
    if (dated) l <- paste(l, format(epoch(x)), sep = ",")
    if (withpop) l <- paste(l, population(x)[, j], sep = ",")
    l
  }))
  writeLines(c(paste0("series,t,count", if (dated) ",date", if (withpop) ",population"), lines), f)
}

# --- the cases ------------------------------------------------------------
orig <- list(noPeriods = 1, b = 4, w = 3, weightsThreshold = 1, pastWeeksNotIncluded = 3,
             pThresholdTrend = 0.05, thresholdMethod = "delta")
nouf <- list(noPeriods = 10, b = 4, w = 3, weightsThreshold = 2.58, pastWeeksNotIncluded = 26,
             pThresholdTrend = 1, thresholdMethod = "nbPlugin")
fig <- list(limit54 = c(0, 50))
cases <- list()
add <- function(name, set, algo, control, epinet) cases[[length(cases) + 1]] <<-
  list(name = name, set = set, algo = algo, control = control, epinet = epinet)
ears <- function(set) for (m in c("C1", "C2", "C3"))
  add(paste0(set, "-ears-", tolower(m)), set, "ears", list(method = m), c("--method", paste0("ears-", tolower(m))))
far <- function(set, range = NULL, b = 4, figure = FALSE, population = FALSE, presets = c("orig", "nouf")) for (p in presets) {
  ctl <- modifyList(if (p == "orig") orig else nouf, list(b = b))
  if (figure) ctl <- modifyList(ctl, fig)
  if (population) ctl$populationOffset <- TRUE
  ctl$range <- range
  a <- c("--method", if (p == "orig") "farrington" else "farrington-flexible", "--b", b, "--w", 3)
  if (figure) a <- c(a, "--limit54-cases", 0, "--limit54-periods", 50)
  if (population) a <- c(a, "--population-offset")
  if (!is.null(range)) a <- c(a, "--from", min(range), "--to", max(range))
  add(paste0(set, "-", p, if (figure) "-fig" else "", if (!is.null(range)) paste0("-", min(range)) else ""),
      set, "farrington", ctl, a)
}
in2011 <- which(isoWeekYear(epoch(sets$salmNewportGermany))$ISOYear == 2011)
for (s in c("ha", "salmNewport", "shadar", "influMen", "momo", "simWeekly", "simDaily")) ears(s)
far("ha", range = 261:290); far("ha", figure = TRUE, range = 283:290)
far("salmNewportGermany", range = in2011); far("salmNewportGermany", range = in2011, figure = TRUE)
far("salmNewport", range = 517:528, figure = TRUE); far("salmNewport", range = 523:528)
far("shadar", figure = TRUE); far("influMen", range = 280:312, figure = TRUE)
far("momo", range = 771:782, figure = TRUE)
far("simWeekly", range = 309:312); far("simWeekly", range = 312:312, figure = TRUE)
feb29 <- which(days == as.Date("2020-02-29"))
far("simDaily", b = 2, range = (feb29 - 3):(feb29 + 3), figure = TRUE)
far("simDaily", b = 2, range = (length(days) - 4):length(days))
far("simPopulation", range = 290:312, population = TRUE)
far("rotaBB", range = 133:144, figure = TRUE)  # monthly: 10 periods leave empty blocks (R's a:(a-1) quirk)
for (tr in c("rossi", "standard")) for (s in c("simWeekly", "shadar", "influMen"))
  add(paste0(s, "-cusum-", tr), s, "cusum", list(range = 53:nrow(observed(sets[[s]])), trans = tr),
      c("--method", "cusum", "--trans", tr, "--from", 53))

# --- run this part's share ---------------------------------------------------
# Share the cases among the parts by their rough cost (farringtonFlexible
# fits a few GLMs per time point and series; the rest is cheap).
cost <- sapply(cases, function(cs) {
  n <- nrow(observed(sets[[cs$set]])); k <- ncol(observed(sets[[cs$set]]))
  if (cs$algo != "farrington") return(k * n / 1e4)
  k * (if (is.null(cs$control$range)) n - sets[[cs$set]]@freq * cs$control$b - cs$control$w else length(cs$control$range))
})
load <- numeric(nparts); owner <- integer(length(cases))
for (i in order(-cost)) { owner[i] <- which.min(load) - 1; load[owner[i] + 1] <- load[owner[i] + 1] + cost[i] }
manifest <- character()
for (i in seq_along(cases)) {
  if (owner[i] != part) next
  cs <- cases[[i]]; x <- sets[[cs$set]]
  write_input(cs$set, x)
  cols <- names_of(x)
  started <- proc.time()[["elapsed"]]
  out <- character()
  if (cs$algo == "cusum") {
    for (j in seq_len(ncol(observed(x)))) {
      r <- algo.cusum(sts2disProg(x[, j]), control = cs$control)
      out <- c(out, paste(cols[j], cs$control$range, num(r$upperbound), lgl(as.logical(r$alarm)), sep = ","))
    }
  } else {
    r <- if (cs$algo == "ears") earsC(x, control = cs$control) else farringtonFlexible(x, control = cs$control)
    rng <- if (is.null(cs$control$range)) {
      if (cs$algo == "ears") (7 + switch(cs$control$method, C1 = 1, C2 = 3, C3 = 5)):nrow(observed(x))
      else (x@freq * cs$control$b + cs$control$w + 1):nrow(observed(x))
    } else cs$control$range
    for (j in seq_len(ncol(observed(x))))
      out <- c(out, paste(cols[j], rng, num(upperbound(r)[, j]), lgl(alarms(r)[, j]), sep = ","))
  }
  writeLines(c("series,t,upperbound,alarm", out), file.path(dir, paste0(cs$name, ".r.csv")))
  manifest <- c(manifest, paste(cs$name, cs$set, sprintf("%.2f", proc.time()[["elapsed"]] - started),
                                paste(cs$epinet, collapse = " "), sep = "\t"))
}
writeLines(manifest, file.path(dir, sprintf("manifest.%d.tsv", part)))
`;

function runProcess(cmd, args) {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => { err += d; });
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${err}`))));
  });
}

function readCsv(text) {
  const lines = text.trim().split('\n');
  const header = lines.shift().split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [header[i], v])));
}

function requireR() {
  const r = spawnSync('Rscript', ['-e', 'suppressMessages(library(surveillance)); cat("surveillance", as.character(packageVersion("surveillance")), "on R", paste(R.version$major, R.version$minor, sep = "."))'],
    { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    assert.fail('this test runs R with the surveillance package, which is not installed here: run scripts/install-deps ' +
      '(Debian: apt-get install -y r-base-core r-cran-surveillance)\n' + (r.stderr || String(r.error)));
  }
  return r.stdout.trim();
}

test('epinet detect gives R surveillance\'s upper bounds and alarms (earsC, farringtonFlexible, algo.cusum)', { timeout: 600_000 }, async (t) => {
  const version = requireR();
  assert.ok(fs.existsSync(BIN), `${BIN} is missing: build first`);
  const dir = tmpDir('detect-r-');
  const script = path.join(dir, 'compare.R');
  fs.writeFileSync(script, R_SCRIPT);
  const rStarted = Date.now();
  await Promise.all(Array.from({ length: R_PARTS }, (_, part) => runProcess('Rscript', [script, dir, String(part), String(R_PARTS)])));
  const rSeconds = (Date.now() - rStarted) / 1000;

  const cases = [];
  for (let part = 0; part < R_PARTS; part++) {
    for (const line of fs.readFileSync(path.join(dir, `manifest.${part}.tsv`), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const [name, set, rTime, args] = line.split('\t');
      cases.push({ name, set, rTime: Number(rTime), args: args.split(' ') });
    }
  }
  cases.sort((a, b) => a.name.localeCompare(b.name));
  assert.ok(cases.length >= 40, `R wrote ${cases.length} cases`);

  const rows = [];
  let points = 0, alarmMismatches = 0, boundMismatches = 0, alarmsR = 0, bounds = 0;
  const failures = [];
  for (const c of cases) {
    const res = runCli(['detect', ...c.args, '--input', path.join(dir, `${c.set}.csv`)]);
    assert.equal(res.code, 0, `${c.name}: epinet detect failed: ${res.stderr}`);
    const ours = new Map(readCsv(res.stdout).map((r) => [`${r.series},${r.t}`, r]));
    const theirs = readCsv(fs.readFileSync(path.join(dir, `${c.name}.r.csv`), 'utf8'));
    let maxRel = 0, alarmBad = 0, boundBad = 0, nAlarms = 0, nBounds = 0;
    for (const r of theirs) {
      const o = ours.get(`${r.series},${r.t}`);
      const oAlarm = o ? (o.alarm === '' ? 'not evaluated' : o.alarm) : 'missing row';
      const oUb = o && o.upperbound !== '' ? o.upperbound : 'NA';
      if (oAlarm !== r.alarm) {
        alarmBad++;
        if (failures.length < 20) failures.push(`${c.name} ${r.series} t=${r.t}: alarm R ${r.alarm}, epinet ${oAlarm} (ub R ${r.upperbound}, epinet ${oUb})`);
      }
      if (r.alarm === '1') nAlarms++;
      const rNa = r.upperbound === 'NA', oNa = oUb === 'NA';
      if (rNa !== oNa) {
        boundBad++;
        if (failures.length < 20) failures.push(`${c.name} ${r.series} t=${r.t}: upperbound R ${r.upperbound}, epinet ${oUb}`);
      } else if (!rNa) {
        nBounds++;
        const a = Number(oUb), b = Number(r.upperbound);
        const rel = Math.abs(a - b) / Math.max(1, Math.abs(b));
        maxRel = Math.max(maxRel, rel);
        if (!(rel <= TOLERANCE)) {
          boundBad++;
          if (failures.length < 20) failures.push(`${c.name} ${r.series} t=${r.t}: upperbound R ${b}, epinet ${a} (rel ${rel.toExponential(2)})`);
        }
      }
    }
    points += theirs.length;
    alarmMismatches += alarmBad;
    boundMismatches += boundBad;
    alarmsR += nAlarms;
    bounds += nBounds;
    rows.push(`${c.name.padEnd(34)} ${String(theirs.length).padStart(6)} points ${String(nBounds).padStart(6)} bounds ` +
      `${String(nAlarms).padStart(5)} alarms  max rel diff ${maxRel.toExponential(2)}  mismatches ${alarmBad}/${boundBad}  R ${c.rTime.toFixed(2)} s`);
  }
  t.diagnostic(`${version}: ${cases.length} cases, R took ${rSeconds.toFixed(1)} s in ${R_PARTS} processes`);
  for (const r of rows) t.diagnostic(r);
  t.diagnostic(`total: ${points} time points, ${bounds} upper bounds, ${alarmsR} alarms in R; ` +
    `${alarmMismatches} alarm mismatches, ${boundMismatches} bound mismatches`);
  assert.deepEqual({ alarmMismatches, boundMismatches }, { alarmMismatches: 0, boundMismatches: 0 }, failures.join('\n'));
  fs.rmSync(dir, { recursive: true, force: true });
});

test('epinet detect reads t,count and writes t,observed,upperbound,alarm; refuses bad input with a message', () => {
  const dir = tmpDir('detect-cli-');
  const file = path.join(dir, 'in.csv');
  // Seven days of 5, then 5, 6 and 12: C1's bound is the mean while the baseline is constant.
  fs.writeFileSync(file, 't,count\n' + [5, 5, 5, 5, 5, 5, 5, 5, 6, 12].map((v, i) => `${i + 1},${v}`).join('\n') + '\n');
  const ok = runCli(['detect', '--method', 'ears-c1', '--input', file]);
  assert.equal(ok.code, 0, ok.stderr);
  const lines = ok.stdout.trim().split('\n');
  assert.equal(lines[0], 't,observed,upperbound,alarm');
  assert.equal(lines[7], '7,5,,', 'the first 7 days are the baseline: not evaluated');
  assert.equal(lines[8], '8,5,5,0');
  assert.equal(lines[9], '9,6,5,1');
  const [, , ub, alarm] = lines[10].split(',');
  assert.ok(Math.abs(Number(ub) - (36 / 7 + 3.090232306167813 * Math.sqrt(1 / 7))) < 1e-12, ub);
  assert.equal(alarm, '1');

  fs.writeFileSync(file, 't,count\n1,3\n3,4\n');
  const gap = runCli(['detect', '--method', 'ears-c1', '--input', file]);
  assert.equal(gap.code, 1);
  assert.match(gap.stderr, /t must go up by 1/);
  const bad = runCli(['detect', '--method', 'ears-c9', '--input', file]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /unknown method 'ears-c9'/);
  fs.rmSync(dir, { recursive: true, force: true });
});
