package dev.fanout.bench.load;

import java.io.File;
import java.io.IOException;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Three charts stacked in one PNG: outgoing pps, server µs per packet and p99 latency, per subscriber count. */
final class LoadPlot {
  private LoadPlot() {}

  static void write(List<LoadCommand.Step> steps, File png) throws IOException {
    double[] x = steps.stream().mapToDouble(s -> s.subscribers).toArray();
    XYChart pps = chart("Outgoing packets per second", "pps", x, steps.stream().mapToDouble(s -> s.outgoingPps).toArray());
    XYChart cost = chart("Server CPU per forwarded packet", "µs", x,
        steps.stream().mapToDouble(s -> s.serverCpuMicrosPerPacket).toArray());
    XYChart p99 = chart("Transit latency p99", "ms", x, steps.stream().mapToDouble(s -> s.latencyP99Millis).toArray());
    String path = png.getPath();
    String base = path.toLowerCase(java.util.Locale.ROOT).endsWith(".png") ? path.substring(0, path.length() - 4) : path;
    BitmapEncoder.saveBitmap(List.of(pps, cost, p99), 3, 1, base, BitmapEncoder.BitmapFormat.PNG);
  }

  private static XYChart chart(String title, String unit, double[] x, double[] y) {
    XYChart c = new XYChartBuilder().width(720).height(260).title(title).xAxisTitle("subscribers").yAxisTitle(unit).build();
    c.getStyler().setLegendVisible(false);
    c.getStyler().setYAxisMin(0.0);
    c.addSeries(title, x, y).setMarker(SeriesMarkers.CIRCLE);
    return c;
  }
}
