package org.seqlab.data.task;

import org.seqlab.core.Png;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Heatmaps of a recurrent network's activations over time for one input string: one panel per
 * activation (hidden units, cell state, gates), units down, characters across. Tanh-range values
 * use a blue-white-red scale centred on 0; gates (0..1) use white-to-black.
 */
final class HiddenStatePicture {
    private static final int CELL_W = 14, CELL_H = 7, MAX_UNITS = 48, MARGIN = 12, TOP = 20, HEADER = 44, GAP = 24;

    private HiddenStatePicture() {}

    static byte[] render(String title, List<String> labels, Map<String, float[][]> activations) throws IOException {
        int steps = labels.size();
        int panelWidth = Math.max(steps * CELL_W, 150);
        int panelHeight = 0;
        for (float[][] a : activations.values()) panelHeight = Math.max(panelHeight, Math.min(MAX_UNITS, a[0].length) * CELL_H);
        int columns = Math.max(1, Math.min(activations.size(), 1200 / (panelWidth + GAP)));
        int rows = (activations.size() + columns - 1) / columns;
        int width = Math.max(2 * MARGIN + columns * (panelWidth + GAP), 520);
        int height = TOP + rows * (HEADER + panelHeight + 24) + MARGIN;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        g.drawString(title, MARGIN, TOP - 4);
        Font mono = new Font(Font.MONOSPACED, Font.BOLD, 11);
        int i = 0;
        for (Map.Entry<String, float[][]> e : activations.entrySet()) {
            int x0 = MARGIN + (i % columns) * (panelWidth + GAP);
            int y0 = TOP + (i / columns) * (HEADER + panelHeight + 24);
            i++;
            float[][] a = e.getValue();
            int units = Math.min(MAX_UNITS, a[0].length);
            boolean gate = e.getKey().endsWith("gate");
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 11));
            g.drawString(e.getKey(), x0, y0 + 14);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
            g.drawString((units < a[0].length ? "first " + units + " of " + a[0].length + " units, " : units + " units, ")
                    + (gate ? "0 white .. 1 black" : "-1 blue .. +1 red"), x0, y0 + 28);
            int y = y0 + HEADER - 10;
            for (int t = 0; t < steps; t++)
                for (int u = 0; u < units; u++) {
                    g.setColor(gate ? grey(a[t][u]) : diverging(a[t][u]));
                    g.fillRect(x0 + t * CELL_W, y + u * CELL_H, CELL_W, CELL_H);
                }
            g.setColor(Color.GRAY);
            g.setStroke(new BasicStroke(1));
            g.drawRect(x0, y, steps * CELL_W, units * CELL_H);
            g.setColor(Color.BLACK);
            g.setFont(mono);
            for (int t = 0; t < steps; t++) {
                String label = labels.get(t);
                if (mono.canDisplayUpTo(label) != -1) label = "|";   // e.g. the end-of-line sign without a glyph
                g.drawString(label, x0 + t * CELL_W + 3, y + units * CELL_H + 13);
            }
        }
        g.dispose();
        return Png.of(img);
    }

    private static Color diverging(float v) {
        float x = Math.max(-1, Math.min(1, v));
        int fade = (int) (255 * (1 - Math.abs(x)));
        return x >= 0 ? new Color(255, fade, fade) : new Color(fade, fade, 255);
    }

    private static Color grey(float v) {
        int c = (int) (255 * (1 - Math.max(0, Math.min(1, v))));
        return new Color(c, c, c);
    }
}
