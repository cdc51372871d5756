package org.seqlab.data.task;

import org.seqlab.core.Png;
import org.seqlab.data.music.PianoRoll;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;

/**
 * A real tune above a generated continuation, as piano rolls (pitch up, time right), cropped to
 * the pitches in use, split into lines as in the symphony projects: the top voice of each frame
 * (melody) in red, the lowest (bass) in blue, the notes between (harmony) in grey. The primed
 * frames of the generated roll are shaded.
 */
final class PianoRollPicture {
    private static final int W = 3, H = 4, LEFT = 40, TOP = 24, GAP = 36;

    private PianoRollPicture() {}

    static byte[] render(String run, float[][] real, float[][] generated, int primed) throws IOException {
        int lo = PianoRoll.KEYS, hi = 0;
        for (float[][] roll : new float[][][]{real, generated})
            for (float[] f : roll) for (int k = 0; k < f.length; k++) if (f[k] > 0.5f) { lo = Math.min(lo, k); hi = Math.max(hi, k); }
        if (lo > hi) { lo = 27; hi = 60; }
        lo = Math.max(0, lo - 2);
        hi = Math.min(PianoRoll.KEYS - 1, hi + 2);
        int rows = hi - lo + 1, frames = Math.max(real.length, generated.length);
        int width = LEFT + frames * W + 10, panel = rows * H;
        BufferedImage img = new BufferedImage(Math.max(width, 460), TOP + 2 * (panel + GAP) + 10, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
        g.setColor(Color.BLACK);
        g.drawString("real test tune", LEFT, TOP - 8);
        draw(g, real, lo, hi, TOP, 0);
        int y2 = TOP + panel + GAP;
        g.setColor(Color.BLACK);
        g.drawString(run + ": generated (first " + primed + " frames given from the real tune, shaded)", LEFT, y2 - 8);
        g.setColor(new Color(235, 235, 235));
        g.fillRect(LEFT, y2, primed * W, panel);
        draw(g, generated, lo, hi, y2, primed);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        int lx = LEFT, ly = img.getHeight() - 8;
        for (Object[] item : new Object[][]{{"melody (top voice)", MELODY}, {"harmony", HARMONY}, {"bass (lowest voice)", BASS}}) {
            g.setColor((Color) item[1]);
            g.fillRect(lx, ly - 8, 10, 8);
            g.setColor(Color.BLACK);
            g.drawString((String) item[0], lx + 14, ly);
            lx += 140;
        }
        g.dispose();
        return Png.of(img);
    }

    private static final Color MELODY = new Color(200, 50, 40), BASS = new Color(40, 80, 180), HARMONY = new Color(130, 130, 130);

    private static void draw(Graphics2D g, float[][] roll, int lo, int hi, int y, int primed) {
        int rows = hi - lo + 1;
        g.setColor(new Color(200, 200, 200));
        g.drawRect(LEFT, y, roll.length * W, rows * H);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 9));
        for (int k = lo; k <= hi; k++)
            if ((PianoRoll.pitch(k)) % 12 == 0) {        // C lines and labels
                int yy = y + (hi - k) * H;
                g.setColor(new Color(225, 225, 225));
                g.drawLine(LEFT, yy + H, LEFT + roll.length * W, yy + H);
                g.setColor(Color.GRAY);
                g.drawString("C" + (PianoRoll.pitch(k) / 12 - 1), 6, yy + H);
            }
        for (int f = 0; f < roll.length; f++) {
            int top = -1, bottom = -1;
            for (int k = 0; k < roll[f].length; k++)
                if (roll[f][k] > 0.5f) { if (bottom < 0) bottom = k; top = k; }
            for (int k = lo; k <= hi; k++)
                if (roll[f][k] > 0.5f) {
                    Color c = k == top ? MELODY : k == bottom ? BASS : HARMONY;
                    g.setColor(f < primed ? c.brighter() : c);
                    g.fillRect(LEFT + f * W, y + (hi - k) * H, W, H - 1);
                }
        }
    }
}
