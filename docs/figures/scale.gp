# How cost grows with the store: docs/figures/scale.dat, written by Benchmarks/scale-report.py from
# `make bench-scale` (block 0: two cores; block 1: one core, taskset -c 0). Run from the repository:
# gnuplot docs/figures/scale.gp
set terminal pngcairo size 1500,820 font ",10"
set output "docs/figures/scale.png"
set multiplot layout 2,3
set logscale x
set xlabel "events stored"
set key bottom right
set grid
set yrange [0:*]
set title "Durable ingest from 4 nodes"
set ylabel "events/s"
plot "docs/figures/scale.dat" index 0 using 1:2 with linespoints title "two cores", \
     "" index 1 using 1:2 with linespoints title "one core (taskset -c 0)"
set title "Hub CPU per stored event"
set ylabel "µs"
plot "docs/figures/scale.dat" index 0 using 1:3 with linespoints title "two cores", \
     "" index 1 using 1:3 with linespoints title "one core (taskset -c 0)"
set title "Hub peak RSS (VmHWM) after the first evaluation"
set ylabel "MiB"
plot "docs/figures/scale.dat" index 0 using 1:4 with linespoints title "first start", \
     "" index 0 using 1:5 with linespoints title "restart"
set logscale y
set yrange [*:*]
set title "Hub start-up on the store (exec to ready)"
set ylabel "seconds"
plot "docs/figures/scale.dat" index 0 using 1:6 with linespoints title "first start: fold every counter cell", \
     "" index 0 using 1:7 with linespoints title "restart: checkpoint"
set title "One gap evaluation (the rules over the folded facts)"
set ylabel "ms"
plot "docs/figures/scale.dat" index 0 using 1:8 with linespoints title "two cores"
set title "Folding the stored counters into gap facts"
set ylabel "seconds"
plot "docs/figures/scale.dat" index 0 using 1:9 with linespoints title "two cores"
unset multiplot
