package org.neurite.cli;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.neurite.train.ConfusionMatrix;
import org.neurite.train.History;

/** The comparison's PNG charts (XChart): learning curves, confusion matrices, speed. */
final class Charts {
    private Charts() {}

    /** Loss (left axis) and accuracy (right axis) per epoch, training and validation. */
    static void curves(Path file, String title, History h) throws IOException {
        XYChart chart = new XYChartBuilder().width(800).height(500).title(title).xAxisTitle("epoch").yAxisTitle("loss").build();
        List<Integer> epochs = IntStream.rangeClosed(1, h.epochs()).boxed().toList();
        String[][] series = {{"loss", "training loss"}, {"val_loss", "validation loss"}, {"accuracy", "training accuracy"},
                {"val_accuracy", "validation accuracy"}};
        for (String[] s : series) {
            XYSeries line = chart.addSeries(s[1], epochs, h.get(s[0]));
            if (s[0].contains("accuracy")) line.setYAxisGroup(1);
        }
        chart.setYAxisGroupTitle(0, "loss");
        chart.setYAxisGroupTitle(1, "accuracy");
        chart.getStyler().setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        chart.getStyler().setXAxisDecimalPattern("0");
        chart.getStyler().setYAxisDecimalPattern("0.000");
        save(chart, file);
    }

    /** Counts of (actual, predicted) classes, the count written in each cell. */
    static void confusion(Path file, String title, ConfusionMatrix m, List<String> classNames) throws IOException {
        HeatMapChart chart = new HeatMapChartBuilder().width(700).height(600).title(title).xAxisTitle("predicted class")
                .yAxisTitle("actual class").build();
        List<Number[]> cells = new ArrayList<>();
        for (int a = 0; a < m.classes(); a++) for (int p = 0; p < m.classes(); p++) cells.add(new Number[] {p, a, m.count(a, p)});
        chart.addSeries("samples", classNames, classNames, cells);
        chart.getStyler().setShowValue(true);
        chart.getStyler().setRangeColors(new Color[] {new Color(0xF7FBFF), new Color(0x6BAED6), new Color(0x08306B)});
        chart.getStyler().setLegendVisible(true);
        save(chart, file);
    }

    /** A bar per model for each named series of values (e.g. samples/s), each bar labelled with its value. */
    static void bars(Path file, String title, String yTitle, List<String> models, List<String> seriesNames,
                     List<List<Double>> values) throws IOException {
        CategoryChart chart = new CategoryChartBuilder().width(900).height(500).title(title).xAxisTitle("model")
                .yAxisTitle(yTitle).build();
        for (int s = 0; s < seriesNames.size(); s++) chart.addSeries(seriesNames.get(s), models, values.get(s));
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        chart.getStyler().setLabelsVisible(true);
        chart.getStyler().setYAxisDecimalPattern("#,##0");
        save(chart, file);
    }

    private static void save(Chart<?, ?> chart, Path file) throws IOException {
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
