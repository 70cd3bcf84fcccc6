package io.freeanchor.eval.pipeline;

import io.freeanchor.eval.image.BgrImage;
import io.freeanchor.eval.io.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/** Draws detections (box, class name, score) onto an image and saves it as PNG. */
public final class BoxPainter {
    private final List<String> classNames;

    public BoxPainter(List<String> classNames) {
        this.classNames = List.copyOf(classNames);
    }

    /** Writes {@code img} with the detections scoring at least {@code minScore} drawn on it, atomically. */
    public void write(BgrImage img, Checkpoint.ImageResult r, float minScore, Path png) throws IOException {
        BufferedImage canvas = toRgb(img);
        Graphics2D g = canvas.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            int stroke = Math.max(1, Math.min(img.width(), img.height()) / 300);
            g.setStroke(new BasicStroke(stroke));
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, Math.max(10, Math.min(img.width(), img.height()) / 40)));
            FontMetrics fm = g.getFontMetrics();
            // Lowest scores first, so the best boxes and labels end up on top.
            for (int k = r.count() - 1; k >= 0; k--) {
                if (r.scores()[k] < minScore) {
                    continue;
                }
                int label = r.labels()[k];
                Color c = colour(label);
                int x1 = Math.round(r.boxes()[4 * k]), y1 = Math.round(r.boxes()[4 * k + 1]);
                int x2 = Math.round(r.boxes()[4 * k + 2]), y2 = Math.round(r.boxes()[4 * k + 3]);
                g.setColor(c);
                g.drawRect(x1, y1, Math.max(1, x2 - x1), Math.max(1, y2 - y1));
                String text = String.format(Locale.ROOT, "%s %.2f",
                        label < classNames.size() ? classNames.get(label) : "class " + label, r.scores()[k]);
                int tw = fm.stringWidth(text) + 4, th = fm.getHeight();
                int ty = y1 - th >= 0 ? y1 - th : y1;
                g.fillRect(x1, ty, tw, th);
                g.setColor(c.getRed() * 0.299 + c.getGreen() * 0.587 + c.getBlue() * 0.114 > 150 ? Color.BLACK : Color.WHITE);
                g.drawString(text, x1 + 2, ty + fm.getAscent());
            }
        } finally {
            g.dispose();
        }
        AtomicFiles.write(png, out -> {
            if (!ImageIO.write(canvas, "png", out)) {
                throw new IOException("no PNG writer available");
            }
        });
    }

    private static BufferedImage toRgb(BgrImage img) {
        BufferedImage out = new BufferedImage(img.width(), img.height(), BufferedImage.TYPE_INT_RGB);
        byte[] d = img.data();
        int[] row = new int[img.width()];
        for (int y = 0; y < img.height(); y++) {
            for (int x = 0; x < img.width(); x++) {
                int i = 3 * (y * img.width() + x);
                row[x] = (d[i + 2] & 0xFF) << 16 | (d[i + 1] & 0xFF) << 8 | (d[i] & 0xFF);
            }
            out.setRGB(0, y, img.width(), 1, row, 0, img.width());
        }
        return out;
    }

    /** A stable, well-spread colour per class. */
    private static Color colour(int label) {
        float hue = (label * 0.618034f) % 1f;
        return Color.getHSBColor(hue, 0.85f, 0.95f);
    }
}
