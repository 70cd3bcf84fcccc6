package io.freeanchor.eval.image;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Decodes JPEG and PNG files to 8-bit BGR exactly as MMDetection's {@code LoadImageFromFile} does
 * with its defaults, i.e. {@code cv2.imdecode(bytes, cv2.IMREAD_COLOR)} of OpenCV 4.6:
 *
 * <ul>
 *   <li>the format is found from the file's first bytes (like OpenCV), not its name;
 *   <li>EXIF orientation (1..8) is applied: JPEG from the first APP1 segment, PNG from the eXIf chunk;
 *   <li>greyscale becomes B = G = R; alpha and tRNS are dropped without compositing;
 *   <li>16-bit PNG samples keep their high byte; palettes are expanded;
 *   <li>CMYK and YCCK JPEGs (Adobe, inverted) use OpenCV's integer CMYK formula.
 * </ul>
 *
 * <p>The pixels are bit-identical to OpenCV 4.6 with Debian's libjpeg-turbo 2.1 and libpng 1.6 on every
 * JPEG and PNG variant we tested (see the tests); JPEG entropy decoding and IDCT run in the JDK's
 * libjpeg through TwelveMonkeys' reader, everything after that (colour conversion, 4:4:0 upsampling,
 * orientation) and all of PNG is our own code.
 *
 * <p>A missing, unreadable, empty, truncated, corrupt or unsupported file raises
 * {@link ImageDecodeException} with a one-line message that names it. Here we are stricter than
 * OpenCV on purpose: a JPEG that ends before its end-of-image marker is an error, while libjpeg only
 * warns, pads the missing data and OpenCV returns a partly invented image. Thread-safe.
 */
public final class ImageDecoder {
    private ImageDecoder() {}

    /** Reads and decodes {@code file}. */
    public static BgrImage decode(Path file) {
        String name = file.toString();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ImageDecodeException(name, "no such file");
        } catch (AccessDeniedException e) {
            throw new ImageDecodeException(name, "permission denied");
        } catch (IOException e) {
            throw new ImageDecodeException(name, "cannot read: " + e.getMessage(), e);
        } catch (OutOfMemoryError e) {
            throw new ImageDecodeException(name, "file too large to read");
        }
        return decode(bytes, name);
    }

    /** Decodes an encoded image held in memory; {@code name} is used in error messages. */
    public static BgrImage decode(byte[] bytes, String name) {
        if (bytes.length == 0) {
            throw new ImageDecodeException(name, "empty file");
        }
        if (JpegDecoder.isJpeg(bytes)) {
            return JpegDecoder.decode(bytes, name);
        }
        if (PngDecoder.isPng(bytes)) {
            return PngDecoder.decode(bytes, name);
        }
        throw new ImageDecodeException(name, "not a JPEG or PNG image (unrecognised signature)");
    }
}
