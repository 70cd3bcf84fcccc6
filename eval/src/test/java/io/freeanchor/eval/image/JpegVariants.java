package io.freeanchor.eval.image;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * JPEG variants PIL and cv2 cannot write, made with the JDK's JPEG writer through its metadata tree:
 * unusual chroma sampling (4:4:0, 4:1:1, chroma 2x1 in a 2x2 frame), files without JFIF marker whose
 * colour space libjpeg must guess from component ids, Adobe RGB, CMYK without/with Adobe marker, YCCK,
 * restart intervals. OpenCV decodes them for the reference; they only serve as inputs.
 */
final class JpegVariants {
    private static final String FORMAT = "javax_imageio_jpeg_image_1.0";

    private JpegVariants() {}

    /** A natural-looking picture: gradients, shapes with hard and smooth edges, text, noise. */
    static BufferedImage picture(int w, int h, long seed) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = img.createGraphics();
        g.setPaint(new GradientPaint(0, 0, new Color(20, 90, 200), w, h, new Color(240, 200, 40)));
        g.fillRect(0, 0, w, h);
        Random rnd = new Random(seed);
        for (int i = 0; i < 30; i++) {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING,
                    i % 3 == 0 ? RenderingHints.VALUE_ANTIALIAS_OFF : RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(new Color(rnd.nextInt(256), rnd.nextInt(256), rnd.nextInt(256)));
            int x = rnd.nextInt(w);
            int y = rnd.nextInt(h);
            int r = 2 + rnd.nextInt(Math.max(3, Math.min(w, h) / 5));
            if (i % 2 == 0) {
                g.fillOval(x - r, y - r, 2 * r, 2 * r);
            } else {
                g.setStroke(new BasicStroke(1 + rnd.nextInt(4)));
                g.drawRect(x - r, y - r, 2 * r, r);
            }
        }
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, Math.max(8, h / 10)));
        g.drawString("FreeAnchor 42", w / 20, h / 2);
        g.dispose();
        WritableRaster r = img.getRaster();
        int[] px = new int[3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                r.getPixel(x, y, px);
                for (int c = 0; c < 3; c++) {
                    px[c] = Math.clamp(px[c] + Math.round((float) rnd.nextGaussian() * 5), 0, 255);
                }
                r.setPixel(x, y, px);
            }
        }
        return img;
    }

    /** Writes every variant into {@code dir}. */
    static void writeAll(Path dir) {
        try {
            Files.createDirectories(dir);
            BufferedImage pic = picture(640, 480, 1);
            BufferedImage odd = picture(517, 333, 2);
            writeImage(pic, dir.resolve("s440.jpg"), new int[][] {{1, 2}, {1, 1}, {1, 1}}, null, true, 0);
            writeImage(odd, dir.resolve("s440_odd_517x333.jpg"), new int[][] {{1, 2}, {1, 1}, {1, 1}}, null, true, 0);
            writeImage(pic, dir.resolve("s411.jpg"), new int[][] {{4, 1}, {1, 1}, {1, 1}}, null, true, 0);
            writeImage(odd, dir.resolve("s22_21_21_odd.jpg"), new int[][] {{2, 2}, {2, 1}, {2, 1}}, null, true, 0);
            writeImage(pic, dir.resolve("s420_restart.jpg"), new int[][] {{2, 2}, {1, 1}, {1, 1}}, null, true, 7);
            writeImage(pic, dir.resolve("s444_ids012_nojfif.jpg"), new int[][] {{1, 1}, {1, 1}, {1, 1}},
                    new int[] {0, 1, 2}, false, 0);
            writeImage(odd, dir.resolve("s420_ids012_nojfif.jpg"), new int[][] {{2, 2}, {1, 1}, {1, 1}},
                    new int[] {0, 1, 2}, false, 0);
            writeImage(pic, dir.resolve("s444_idsRGB_nojfif.jpg"), new int[][] {{1, 1}, {1, 1}, {1, 1}},
                    new int[] {'R', 'G', 'B'}, false, 0);

            Raster three = pic.getRaster();
            writeRaster(three, dir.resolve("raw3_nomarkers.jpg"), -1);
            writeRaster(three, dir.resolve("raw3_adobe_rgb.jpg"), 0);
            WritableRaster cmyk = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, 517, 333, 4, null);
            Raster o = odd.getRaster();
            int[] px = new int[3];
            for (int y = 0; y < 333; y++) {
                for (int x = 0; x < 517; x++) {
                    o.getPixel(x, y, px);
                    int k = 255 - Math.max(px[0], Math.max(px[1], px[2])) / 2 - ((x + y) & 63);
                    cmyk.setPixel(x, y, new int[] {255 - px[2], 255 - px[1], 255 - px[0], Math.clamp(k, 0, 255)});
                }
            }
            writeRaster(cmyk, dir.resolve("cmyk_nomarkers.jpg"), -1);
            writeRaster(cmyk, dir.resolve("cmyk_adobe0.jpg"), 0);
            writeRaster(cmyk, dir.resolve("ycck_adobe2.jpg"), 2);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ImageWriter jdkWriter() {
        for (Iterator<ImageWriter> it = ImageIO.getImageWritersByFormatName("jpeg"); it.hasNext(); ) {
            ImageWriter w = it.next();
            if (w.getClass().getName().startsWith("com.sun.imageio.")) {
                return w;
            }
        }
        throw new IllegalStateException("the JDK's JPEG writer is not available");
    }

    private static ImageReader jdkReader() {
        for (Iterator<ImageReader> it = ImageIO.getImageReadersByFormatName("jpeg"); it.hasNext(); ) {
            ImageReader r = it.next();
            if (r.getClass().getName().startsWith("com.sun.imageio.")) {
                return r;
            }
        }
        throw new IllegalStateException("the JDK's JPEG reader is not available");
    }

    private static ImageWriteParam param(ImageWriter w) {
        ImageWriteParam p = w.getDefaultWriteParam();
        p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        p.setCompressionQuality(0.9f);
        return p;
    }

    private static void write(ImageWriter w, IIOImage image, ImageWriteParam p, Path file) throws IOException {
        Files.deleteIfExists(file);
        try (ImageOutputStream out = ImageIO.createImageOutputStream(file.toFile())) {
            w.setOutput(out);
            w.write(null, image, p);
        } finally {
            w.dispose();
        }
    }

    private static void writeImage(BufferedImage img, Path file, int[][] sampling, int[] ids, boolean jfif,
                                   int restartInterval) throws IOException {
        ImageWriter w = jdkWriter();
        ImageWriteParam p = param(w);
        IIOMetadata md = w.getDefaultImageMetadata(new ImageTypeSpecifier(img), p);
        Element tree = (Element) md.getAsTree(FORMAT);
        NodeList comps = tree.getElementsByTagName("componentSpec");
        for (int i = 0; i < comps.getLength(); i++) {
            Element e = (Element) comps.item(i);
            e.setAttribute("HsamplingFactor", Integer.toString(sampling[i][0]));
            e.setAttribute("VsamplingFactor", Integer.toString(sampling[i][1]));
            if (ids != null) {
                e.setAttribute("componentId", Integer.toString(ids[i]));
            }
        }
        if (ids != null) {
            NodeList sc = tree.getElementsByTagName("scanComponentSpec");
            for (int i = 0; i < sc.getLength(); i++) {
                ((Element) sc.item(i)).setAttribute("componentSelector", Integer.toString(ids[i]));
            }
        }
        if (!jfif) {
            NodeList j = tree.getElementsByTagName("app0JFIF");
            for (int i = j.getLength() - 1; i >= 0; i--) {
                j.item(i).getParentNode().removeChild(j.item(i));
            }
        }
        if (restartInterval > 0) {
            IIOMetadataNode dri = new IIOMetadataNode("dri");
            dri.setAttribute("interval", Integer.toString(restartInterval));
            Node seq = tree.getElementsByTagName("markerSequence").item(0);
            seq.insertBefore(dri, seq.getFirstChild());
        }
        md.setFromTree(FORMAT, tree);
        write(w, new IIOImage(img, null, md), p, file);
    }

    /** A raw raster (no colour conversion); {@code adobeTransform} -1 writes no Adobe marker. */
    private static void writeRaster(Raster r, Path file, int adobeTransform) throws IOException {
        ImageWriter w = jdkWriter();
        ImageWriteParam p = param(w);
        if (adobeTransform < 0) {
            write(w, new IIOImage(r, null, null), p, file);
            return;
        }
        // The JDK offers no default metadata for rasters: take it from a plain write, then add APP14.
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            w.setOutput(out);
            w.write(null, new IIOImage(r, null, null), p);
        }
        IIOMetadata md;
        ImageReader reader = jdkReader();
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            reader.setInput(in);
            md = reader.getImageMetadata(0);
        } finally {
            reader.dispose();
        }
        Element tree = (Element) md.getAsTree(FORMAT);
        IIOMetadataNode adobe = new IIOMetadataNode("app14Adobe");
        adobe.setAttribute("version", "100");
        adobe.setAttribute("flags0", "0");
        adobe.setAttribute("flags1", "0");
        adobe.setAttribute("transform", Integer.toString(adobeTransform));
        Node seq = tree.getElementsByTagName("markerSequence").item(0);
        seq.insertBefore(adobe, seq.getFirstChild());
        md.setFromTree(FORMAT, tree);
        write(w, new IIOImage(r, null, md), p, file);
    }
}
