# Start-up, peak RSS and gap evaluation against the events stored: docs/figures/startup.dat (measured by
# `BENCH_RSS_EVENTS=N KnutepunktBench daemons` and `BENCH_EVENTS=N KnutepunktBench counters`, see
# docs/performance.md). Run from the repository: gnuplot docs/figures/startup.gp
set terminal pngcairo size 1100,420 font ",10"
set output "docs/figures/startup.png"
set multiplot layout 1,2
set logscale x
set xlabel "events stored"
set key top left
set grid
set logscale y
set ylabel "seconds"
set title "Hub start-up on the store (exec to ready)"
plot "docs/figures/startup.dat" using 1:2 with linespoints title "first start: fold every counter cell", \
     "" using 1:3 with linespoints title "restart: checkpoint + versions after it"
unset logscale y
set ylabel "MiB"
set yrange [0:*]
set title "Hub peak RSS (VmHWM) after the first evaluation"
plot "docs/figures/startup.dat" using 1:4 with linespoints title "first start", \
     "" using 1:5 with linespoints title "restart"
unset multiplot
