package io.cadre.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.category.StatisticalBarRenderer;
import org.jfree.chart.renderer.xy.XYErrorRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.HorizontalAlignment;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.statistics.DefaultStatisticalCategoryDataset;
import org.jfree.data.xy.YIntervalSeriesCollection;

/**
 * The few chart shapes the benchmark charts use, drawn with JFreeChart in one plain style and saved
 * as PNG. Every chart carries a caption naming the result file it was drawn from. Not thread-safe;
 * {@link Charts#main} calls it from one thread.
 */
final class ChartMaker {
    /** UNIT: pixels. */
    static final int WIDTH = 1000;
    private static final Color GRID = new Color(0xDD, 0xDD, 0xDD);
    private static final Color[] PALETTE = {
        new Color(0x1F77B4), new Color(0xFF7F0E), new Color(0x2CA02C), new Color(0xD62728),
        new Color(0x9467BD), new Color(0x8C564B), new Color(0xE377C2), new Color(0x7F7F7F)};

    private ChartMaker() {
    }

    /**
     * Horizontal bars, one group per category (row key: series, column key: category).
     * With {@code log}, the value axis is logarithmic (for latencies that span decades).
     */
    static JFreeChart bars(String title, String valueLabel, DefaultCategoryDataset data, boolean log, String format) {
        JFreeChart chart = ChartFactory.createBarChart(title, null, valueLabel, data, PlotOrientation.HORIZONTAL, true, false, false);
        CategoryPlot plot = chart.getCategoryPlot();
        if (log) {
            // from the decade under the smallest value to a little over the largest
            double min = Double.MAX_VALUE;
            double max = 0;
            for (int r = 0; r < data.getRowCount(); r++) {
                for (int c = 0; c < data.getColumnCount(); c++) {
                    Number v = data.getValue(r, c);
                    if (v != null && v.doubleValue() > 0) {
                        min = Math.min(min, v.doubleValue());
                        max = Math.max(max, v.doubleValue());
                    }
                }
            }
            LogAxis axis = new LogAxis(valueLabel);
            axis.setBase(10);
            axis.setNumberFormatOverride(new DecimalFormat("0.###"));
            axis.setAutoTickUnitSelection(false);
            axis.setTickUnit(new NumberTickUnit(1)); // one tick per decade
            if (max > 0) {
                double lower = Math.pow(10, Math.floor(Math.log10(min * 0.9)));
                // room for the largest bar's label: a share of the width, so more on a wider range
                axis.setRange(lower, max * Math.max(4, Math.pow(10, 0.12 * Math.log10(max / lower))));
            }
            plot.setRangeAxis(axis);
        }
        BarRenderer renderer = (BarRenderer) plot.getRenderer();
        renderer.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator("{2}", new DecimalFormat(format)));
        renderer.setDefaultItemLabelsVisible(true);
        renderer.setDefaultItemLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        renderer.setItemMargin(0.02);
        style(chart, plot, renderer);
        return chart;
    }

    /** Vertical bars with error bars (mean ± error per category), one series per row key. */
    static JFreeChart statisticalBars(String title, String valueLabel, DefaultStatisticalCategoryDataset data) {
        JFreeChart chart = ChartFactory.createBarChart(title, null, valueLabel, data, PlotOrientation.HORIZONTAL, true, false, false);
        CategoryPlot plot = chart.getCategoryPlot();
        StatisticalBarRenderer renderer = new StatisticalBarRenderer();
        renderer.setErrorIndicatorPaint(Color.BLACK);
        plot.setRenderer(renderer);
        style(chart, plot, renderer);
        return chart;
    }

    /** Lines with error bars: y against an integer x (a thread or process count). */
    static JFreeChart lines(String title, String xLabel, String yLabel, YIntervalSeriesCollection data) {
        JFreeChart chart = ChartFactory.createXYLineChart(title, xLabel, yLabel, data, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        XYErrorRenderer renderer = new XYErrorRenderer();
        renderer.setDefaultLinesVisible(true);
        renderer.setDefaultShapesVisible(true);
        renderer.setDrawXError(false);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            renderer.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
            renderer.setSeriesStroke(i, new BasicStroke(2f));
        }
        plot.setRenderer(renderer);
        ((NumberAxis) plot.getDomainAxis()).setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(true);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(GRID);
        plot.setRangeGridlinePaint(GRID);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    /** Adds the caption under the chart: where its numbers come from. */
    static void caption(JFreeChart chart, String text) {
        TextTitle caption = new TextTitle(text, new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        caption.setPosition(RectangleEdge.BOTTOM);
        caption.setHorizontalAlignment(HorizontalAlignment.LEFT);
        caption.setTextAlignment(HorizontalAlignment.LEFT);
        caption.setPaint(Color.DARK_GRAY);
        chart.addSubtitle(0, caption); // the first bottom subtitle is drawn lowest: under the legend
    }

    /** Saves {@code chart} as a PNG of {@link #WIDTH} by {@code height} pixels. */
    static Path save(JFreeChart chart, Path file, int height) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, height);
        return file;
    }

    /** A height that gives each bar group of a horizontal bar chart room for its label. */
    static int heightFor(int categories, int series) {
        return Math.max(360, 180 + categories * Math.max(28, 16 * series));
    }

    private static void style(JFreeChart chart, CategoryPlot plot, BarRenderer renderer) {
        renderer.setBarPainter(new StandardBarPainter());
        renderer.setShadowVisible(false);
        for (int i = 0; i < PALETTE.length; i++) {
            renderer.setSeriesPaint(i, PALETTE[i]);
        }
        CategoryAxis categories = plot.getDomainAxis();
        categories.setMaximumCategoryLabelWidthRatio(0.4f);
        categories.setMaximumCategoryLabelLines(3);
        categories.setTickLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(GRID);
        chart.setBackgroundPaint(Color.WHITE);
    }
}
