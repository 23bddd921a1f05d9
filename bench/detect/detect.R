# bench/detect/detect.R — R's side of bench/detect/run.
#   Rscript detect.R data FILE.csv          writes the bench's 66 series
#   Rscript detect.R time FILE.csv latest|last28 OUT.tsv
#                                           times R on them, method by method
# The series: 11 districts of Jinzhong x 6 signal channels, daily counts for
# 2023-01-01 .. 2025-12-31 (1096 days), negative binomial around a winter
# season and a weekday pattern, a few with an outbreak in the last weeks.
args <- commandArgs(TRUE)
suppressMessages(library(surveillance))
options(warn = -1)

if (args[1] == "data") {
  set.seed(140700)
  days <- seq(as.Date("2023-01-01"), as.Date("2025-12-31"), by = "day")
  districts <- c("140702", "140703", "140721", "140722", "140723", "140724", "140725", "140727", "140728",
                 "140729", "140781")
  size <- c(6, 3, 1, 1, 1, 1, 1.5, 1.5, 2, 1, 2)  # relative population
  channels <- c(fever_clinic = 12, pharmacy = 30, checkpoint_fever = 2, positive_test = 0.3,
                monitored_fever = 1, absence = 20)
  t <- seq_along(days); wday <- as.POSIXlt(days)$wday
  lines <- character()
  for (d in seq_along(districts)) for (ch in names(channels)) {
    mu <- channels[[ch]] * size[d] * exp(0.5 * cos(2 * pi * (t - 15) / 365.25)) *
      (if (ch == "absence") ifelse(wday %in% c(0, 6), 0.1, 1) else ifelse(wday == 0, 0.7, 1))
    y <- rnbinom(length(days), size = 8, mu = mu)
    if ((d + match(ch, names(channels))) %% 9 == 0) {
      o <- length(days) - sample(5:25, 1); y[o:(o + 6)] <- y[o:(o + 6)] + rpois(7, 2 * mu[o] + 3)
    }
    lines <- c(lines, paste(paste0(districts[d], "-", ch), t, y, format(days), sep = ","))
  }
  writeLines(c("series,t,count,date", lines), args[2])
  quit(save = "no")
}

# --- timing ------------------------------------------------------------------
d <- read.csv(args[2], colClasses = c("character", "integer", "numeric", "character"))
names <- unique(d$series)
obs <- sapply(names, function(s) d$count[d$series == s])
dates <- as.Date(d$date[d$series == names[1]])
x <- sts(observed = obs, epoch = as.numeric(dates), epochAsDate = TRUE, frequency = 365)
n <- nrow(obs)
rng <- if (args[3] == "latest") n else (n - 27):n

orig <- list(noPeriods = 1, b = 2, w = 3, weightsThreshold = 1, pastWeeksNotIncluded = 3,
             pThresholdTrend = 0.05, thresholdMethod = "delta")
nouf <- list(noPeriods = 10, b = 2, w = 3, weightsThreshold = 2.58, pastWeeksNotIncluded = 26,
             pThresholdTrend = 1, thresholdMethod = "nbPlugin")
# The two methods the package does not have, in plain R: the published EARS C3
# and CIDARS's moving percentile method (as src/domain/warning/ears.h and mpm.h).
c3_published <- function(y, ts, b = 7, h = 2) sapply(ts, function(t) {
  ex <- sapply(t - (2:0), function(j) { r <- y[(j - b - 2):(j - 3)]; max(0, (y[j] - mean(r)) / sd(r) - 1) })
  sum(ex) > h
})
mpm <- function(y, ts, window = 7, years = 2, nb = 1, p = 0.8) sapply(ts, function(t) {
  blocks <- numeric()
  for (yr in 1:years) {
    c0 <- match(seq(dates[t], by = "-1 year", length.out = yr + 1)[yr + 1], dates)
    for (j in -nb:nb) { e <- c0 + j * window; blocks <- c(blocks, sum(y[(e - window + 1):e])) }
  }
  sum(y[(t - window + 1):t]) > quantile(blocks, p, type = 7, names = FALSE)
})
work <- list(
  "ears-c1" = function() earsC(x, control = list(method = "C1", range = rng)),
  "ears-c2" = function() earsC(x, control = list(method = "C2", range = rng)),
  # earsC's C3 fails on a range of one time point (its refVals matrix loses a
  # dimension), so the latest day is timed with the day before it as well.
  "ears-c3" = function() earsC(x, control = list(method = "C3", range = if (length(rng) == 1) c(n - 1, n) else rng)),
  "ears-c3-published" = function() for (j in seq_len(ncol(obs))) c3_published(obs[, j], rng),
  "farrington" = function() farringtonFlexible(x, control = c(orig, list(range = rng))),
  "farrington-flexible" = function() farringtonFlexible(x, control = c(nouf, list(range = rng))),
  "cusum" = function() for (j in seq_len(ncol(obs)))
    algo.cusum(sts2disProg(x[, j]), control = list(range = 366:n, trans = "rossi")),
  "mpm" = function() for (j in seq_len(ncol(obs))) mpm(obs[, j], rng)
)
out <- character()
for (m in names(work)) {
  tm <- system.time(work[[m]]())
  out <- c(out, sprintf("%s\t%.3f\t%.3f", m, 1000 * (tm[["user.self"]] + tm[["sys.self"]]), 1000 * tm[["elapsed"]]))
}
writeLines(out, args[4])
