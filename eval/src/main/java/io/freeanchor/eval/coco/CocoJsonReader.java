package io.freeanchor.eval.coco;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Streaming reads of COCO JSON with one-line errors naming the source and the JSON path ({@code $.annotations[17].bbox}).
 * The path is kept as (section, index, field) and only turned into text for an error. NaN and Infinity are accepted
 * because Python's json module writes and reads them.
 */
abstract class CocoJsonReader {
    static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            // Bit-identical to Double.parseDouble (correctly rounded, like Python's float()), several times faster.
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .build();

    final String source;
    JsonParser p;
    /** Top-level key being read ("annotations"), or null for a top-level array. */
    String section;
    /** Element index in the current array, or -1. */
    int index = -1;
    /** Field of the current element, or null. */
    String field;

    CocoJsonReader(String source) {
        this.source = source;
    }

    /** Opens {@code file}, reads it with {@link #read()}, and turns every failure into a {@link CocoFormatException}. */
    final void readFile(Path file) {
        if (Files.isDirectory(file)) {
            throw new CocoFormatException(source + ": is a directory, not a JSON file");
        }
        try (InputStream in = Files.newInputStream(file)) {
            readStream(in);
        } catch (NoSuchFileException e) {
            throw new CocoFormatException(source + ": no such file");
        } catch (AccessDeniedException e) {
            throw new CocoFormatException(source + ": permission denied");
        } catch (IOException e) {
            throw new CocoFormatException(source + ": cannot read: " + oneLine(e.getMessage()), e);
        }
    }

    final void readStream(InputStream in) throws IOException {
        try (JsonParser parser = FACTORY.createParser(in)) {
            p = parser;
            read();
            section = null;
            index = -1;
            field = null;
            JsonToken extra = p.nextToken();
            if (extra != null) {
                throw new CocoFormatException(source + ": unexpected content after the top-level JSON value ("
                        + describe(extra) + ")" + location(p.currentLocation()));
            }
        } catch (JsonProcessingException e) {
            throw new CocoFormatException(source + ": " + path() + ": invalid JSON" + location(e.getLocation()) + ": "
                    + jacksonMessage(e), e);
        }
    }

    /** Reads the whole document; {@link #p} is positioned before the first token. */
    abstract void read() throws IOException;

    final String path() {
        StringBuilder b = new StringBuilder("$");
        if (section != null) {
            b.append('.').append(section);
        }
        if (index >= 0) {
            b.append('[').append(index).append(']');
        }
        if (field != null) {
            b.append('.').append(field);
        }
        return b.toString();
    }

    final CocoFormatException error(String message) {
        return new CocoFormatException(source + ": " + path() + ": " + message);
    }

    /** The current token must start an array. */
    final void expectArray(String what) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw error("expected " + what + ", got " + describe(p.currentToken()));
        }
    }

    /** The current token must start an object. */
    final void expectObject(String what) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw error("expected " + what + ", got " + describe(p.currentToken()));
        }
    }

    /** The current token as a double (an integer or a float, NaN/Infinity included). */
    final double number() throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
            return p.getDoubleValue();
        }
        throw error("expected a number, got " + describe(t));
    }

    /** The current token as a 64-bit integer; an integral float such as 7.0 counts (Python compares 7.0 == 7). */
    final long integer() throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NUMBER_INT) {
            if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                throw error("integer " + p.getText() + " is out of the 64-bit range");
            }
            return p.getLongValue();
        }
        if (t == JsonToken.VALUE_NUMBER_FLOAT) {
            double d = p.getDoubleValue();
            if (d == Math.rint(d) && Math.abs(d) < 0x1p63) {
                return (long) d;
            }
            throw error("expected an integer, got " + p.getText());
        }
        throw error("expected an integer, got " + describe(t));
    }

    /** The current token as a number, with true/false read as 1/0 (Python's bool is an int). */
    final double numberOrBoolean() throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_TRUE) {
            return 1;
        }
        if (t == JsonToken.VALUE_FALSE) {
            return 0;
        }
        if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
            return p.getDoubleValue();
        }
        throw error("expected a number or a boolean, got " + describe(t));
    }

    final String string() throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        throw error("expected a string, got " + describe(t));
    }

    /** Reads {@code [x, y, w, h]} into {@code out[off..off+4)}; the current token is the value of the bbox field. */
    final void bbox(double[] out, int off) throws IOException {
        final String expected = "expected an array of 4 numbers";
        JsonToken t = p.currentToken();
        if (t != JsonToken.START_ARRAY) {
            throw error(expected + ", got " + describe(t));
        }
        int n = 0;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
                throw error(expected + ", element " + n + " is " + describe(t));
            }
            if (n == 4) {
                throw error(expected + ", got more than 4 elements");
            }
            out[off + n++] = p.getDoubleValue();
        }
        if (n != 4) {
            throw error(expected + ", got " + n + " element" + (n == 1 ? "" : "s"));
        }
    }

    /** Skips the current value (the whole subtree if it is an object or an array). */
    final void skipValue() throws IOException {
        p.skipChildren();
    }

    final CocoFormatException missing(String name) {
        field = null;
        return error("missing required field \"" + name + "\"");
    }

    static String describe(JsonToken t) {
        if (t == null) {
            return "the end of the file";
        }
        return switch (t) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT -> "an integer";
            case VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> t.toString();
        };
    }

    static String location(JsonLocation loc) {
        if (loc == null || loc.getLineNr() < 0) {
            return "";
        }
        return " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
    }

    /** Jackson's message without its location noise ("(start marker at [Source: ...])"). */
    static String jacksonMessage(JsonProcessingException e) {
        String m = oneLine(e.getOriginalMessage());
        int cut = m.indexOf(" (start marker at");
        return cut >= 0 ? m.substring(0, cut) : m;
    }

    static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s+", " ").strip();
    }
}
