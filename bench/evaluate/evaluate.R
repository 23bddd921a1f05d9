# bench/evaluate/evaluate.R — R's side of bench/evaluate/run.
#   Rscript evaluate.R data DIR       writes the series (DIR/s-<id>.csv: t,count,date) and the
#                                     injected outbreaks (DIR/truth.csv)
#   Rscript evaluate.R score DIR      runs R's methods on the same series, reads epinet's answers
#                                     (DIR/epinet-<method>-<id>.csv) and prints the Markdown tables
#
# The series follow the background model of the simulator's signals.csv
# (docs/simulator.md, "Signals": negative binomial with dispersion k = 20
# around population × rate × season × weekday), three years of daily counts
# per district for fever-clinic visits, pharmacy sales and school absence.
# `epinet sim` writes only 28 days of history and its outbreak's excess is not
# labelled day by day, so the known outbreaks are injected here: four per
# series and year, 7 days each, at random starts at least 30 days apart.
args <- commandArgs(TRUE)
suppressMessages(library(surveillance))
options(warn = -1)
dir <- args[2]

days <- seq(as.Date("2023-01-01"), as.Date("2025-12-31"), by = "day")
n <- length(days)
EVAL_FROM <- match(as.Date("2025-01-15"), days)  # Farrington with b = 2 needs two years and w days back
districts <- c("140702", "140703", "140721", "140722", "140723", "140724", "140725", "140727", "140728", "140729", "140781")
population <- c(920, 300, 130, 150, 130, 200, 200, 250, 450, 250, 400) * 1000
channels <- c("fever_clinic", "pharmacy", "absence")

if (args[1] == "data") {
  set.seed(20210802)
  t <- seq_len(n)
  doy <- as.POSIXlt(days)$yday + 1
  wday <- as.POSIXlt(days)$wday  # 0 = Sunday
  season <- 1 + 0.35 * cos(2 * pi * (doy - 20) / 365.25)
  wk <- list(
    fever_clinic = c(0.88, 1.20, 1.05, 1.0, 0.98, 0.97, 0.92),
    pharmacy = c(1.08, 0.95, 0.95, 0.95, 0.97, 1.0, 1.10),
    absence = c(0, 1.15, 1.0, 0.97, 0.97, 1.05, 0))
  truth <- character()
  for (d in seq_along(districts)) for (ch in channels) {
    id <- paste0(districts[d], "-", ch)
    mu <- switch(ch,
      fever_clinic = population[d] / 1e4 * 0.6 * season,
      pharmacy = population[d] / 1e4 * 6 * season,
      absence = population[d] * 0.12 * 0.012 * (0.6 + 0.4 * season)) * wk[[ch]][wday + 1]
    y <- ifelse(mu > 0, rnbinom(n, size = 20, mu = pmax(mu, 1e-9)), 0)
    # Four outbreaks a year, 7 days each, growing then fading; their size is a
    # multiple (1 to 3) of the baseline's daily standard deviation.
    for (yr in 0:2) {
      starts <- integer()
      while (length(starts) < 4) {
        s <- 365 * yr + sample(20:330, 1)
        if (all(abs(starts - s) >= 30)) starts <- c(starts, s)
      }
      for (s in sort(starts)) {
        m <- mean(mu[s:(s + 6)])
        sdv <- sqrt(m + m^2 / 20)
        extra <- rpois(7, runif(1, 1, 3) * sdv * c(0.3, 0.6, 1, 1.3, 1, 0.6, 0.3))
        y[s:(s + 6)] <- y[s:(s + 6)] + extra * (mu[s:(s + 6)] > 0)
        truth <- c(truth, sprintf("%s,%d,%d", id, s, s + 6))
      }
    }
    writeLines(c("t,count,date", sprintf("%d,%d,%s", t, y, format(days))), file.path(dir, paste0("s-", id, ".csv")))
  }
  writeLines(c("series,from,to", truth), file.path(dir, "truth.csv"))
  writeLines(sprintf("%d", EVAL_FROM), file.path(dir, "eval_from.txt"))
  quit(save = "no")
}

# --- score -------------------------------------------------------------------
truth <- read.csv(file.path(dir, "truth.csv"), colClasses = c("character", "integer", "integer"))
ids <- as.vector(outer(districts, channels, paste, sep = "-"))
rng <- EVAL_FROM:n
orig <- list(noPeriods = 1, b = 2, w = 3, weightsThreshold = 1, pastWeeksNotIncluded = 3,
             pThresholdTrend = 0.05, thresholdMethod = "delta")
nouf <- list(noPeriods = 10, b = 2, w = 3, weightsThreshold = 2.58, pastWeeksNotIncluded = 26,
             pThresholdTrend = 1, thresholdMethod = "nbPlugin")
r_alarms <- function(method, y) {
  x <- sts(observed = matrix(y, ncol = 1), epoch = as.numeric(days), epochAsDate = TRUE, frequency = 365)
  a <- switch(method,
    "ears-c1" = alarms(earsC(x, control = list(method = "C1", range = rng))),
    "ears-c2" = alarms(earsC(x, control = list(method = "C2", range = rng))),
    "ears-c3" = alarms(earsC(x, control = list(method = "C3", range = rng))),
    "farrington" = alarms(farringtonFlexible(x, control = c(orig, list(range = rng)))),
    "farrington-flexible" = alarms(farringtonFlexible(x, control = c(nouf, list(range = rng)))),
    "cusum" = algo.cusum(sts2disProg(x), control = list(range = rng, trans = "rossi", m = mean(y[1:(EVAL_FROM - 1)])))$alarm)
  as.logical(as.matrix(a)[, 1])
}
methods_r <- c("ears-c1", "ears-c2", "ears-c3", "farrington", "farrington-flexible", "cusum")
methods_e <- c("ears-c1", "ears-c2", "ears-c3", "ears-c3-published", "farrington", "farrington-flexible", "cusum", "mpm")

score <- function(get_alarms, methods) {
  rows <- list()
  for (m in methods) {
    tp <- 0; fn <- 0; fp <- 0; tn <- 0; detected <- 0; outbreaks <- 0; delays <- numeric()
    for (id in ids) {
      a <- get_alarms(m, id)
      a[is.na(a)] <- FALSE
      ob <- truth[truth$series == id & truth$from >= EVAL_FROM, ]
      inside <- rep(FALSE, length(rng))
      for (k in seq_len(nrow(ob))) {
        idx <- (ob$from[k]:ob$to[k]) - EVAL_FROM + 1
        inside[idx] <- TRUE
        outbreaks <- outbreaks + 1
        hit <- which(a[idx])
        if (length(hit)) { detected <- detected + 1; delays <- c(delays, hit[1] - 1) }
      }
      tp <- tp + sum(a & inside); fn <- fn + sum(!a & inside)
      fp <- fp + sum(a & !inside); tn <- tn + sum(!a & !inside)
    }
    district_years <- length(districts) * length(rng) / 365
    rows[[m]] <- c(sens = tp / (tp + fn), spec = tn / (tn + fp), pod = detected / outbreaks,
                   delay = if (length(delays)) mean(delays) else NA, fa = fp / district_years)
  }
  rows
}

r_cache <- new.env()
get_r <- function(m, id) {
  key <- paste(m, id)
  if (is.null(r_cache[[key]])) {
    y <- read.csv(file.path(dir, paste0("s-", id, ".csv")))$count
    r_cache[[key]] <- r_alarms(m, y)
  }
  r_cache[[key]]
}
get_e <- function(m, id) {
  e <- read.csv(file.path(dir, paste0("epinet-", m, "-", id, ".csv")), na.strings = c("NA", ""))
  e <- e[e$t >= EVAL_FROM, ]
  as.logical(e$alarm)
}
t_r <- system.time(res_r <- score(get_r, methods_r))
res_e <- score(get_e, methods_e)
# Alarm-for-alarm agreement between epinet and R on every evaluated day.
agree <- sapply(methods_r, function(m) {
  diff <- 0; total <- 0
  for (id in ids) {
    a <- get_r(m, id); b <- get_e(m, id)
    a[is.na(a)] <- FALSE; b[is.na(b)] <- FALSE
    diff <- diff + sum(a != b); total <- total + length(a)
  }
  sprintf("%d / %d", diff, total)
})

f <- function(x, d = 3) ifelse(is.na(x), "—", formatC(x, format = "f", digits = d))
cat(sprintf("%d series (%d districts × %s), days %s to %s evaluated (%d days), %d injected outbreaks in that period.\n\n",
            length(ids), length(districts), paste(channels, collapse = ", "), format(days[EVAL_FROM]), format(days[n]),
            length(rng), sum(truth$from >= EVAL_FROM)))
cat("| method | implementation | sensitivity (days) | specificity (days) | probability of detection | mean days to detection | false alarms per district-year (3 channels) | alarms differing from R |\n")
cat("|---|---|---|---|---|---|---|---|\n")
for (m in methods_e) {
  e <- res_e[[m]]
  cat(sprintf("| %s | epinet | %s | %s | %s | %s | %s | %s |\n", m, f(e["sens"]), f(e["spec"]), f(e["pod"]), f(e["delay"], 2), f(e["fa"], 1),
              if (m %in% methods_r) agree[[m]] else "(not in R)"))
  if (m %in% methods_r) {
    r <- res_r[[m]]
    cat(sprintf("| %s | R surveillance | %s | %s | %s | %s | %s | |\n", m, f(r["sens"]), f(r["spec"]), f(r["pod"]), f(r["delay"], 2), f(r["fa"], 1)))
  }
}
cat(sprintf("\nR's time for its six methods on these series: %.1f s (CPU, user + system).\n", t_r[["user.self"]] + t_r[["sys.self"]]))
