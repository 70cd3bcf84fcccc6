package io.freeanchor.eval.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Parses {@code name=value} options such as {@code --input-shape input=1,3,800,1344}. */
public final class ShapeArgs {
    private ShapeArgs() {}

    /** Splits name=value pairs, rejecting duplicates and missing '='. */
    public static Map<String, String> pairs(List<String> args, String option) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq <= 0 || eq == a.length() - 1) {
                throw new UserInputException(option + " '" + a + "' must look like NAME=VALUE");
            }
            String name = a.substring(0, eq);
            if (out.put(name, a.substring(eq + 1)) != null) {
                throw new UserInputException(option + " gives '" + name + "' twice");
            }
        }
        return out;
    }

    /** Parses "1,3,800,1344"; every dimension positive and the product within a Java array. */
    public static int[] shape(String text, String what) {
        String[] parts = text.split("[,x]");
        int[] dims = new int[parts.length];
        long product = 1;
        for (int i = 0; i < parts.length; i++) {
            long d;
            try {
                d = Long.parseLong(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new UserInputException(what + ": '" + text + "' is not a list of integers like 1,3,800,1344");
            }
            if (d < 1 || d > Integer.MAX_VALUE) {
                throw new UserInputException(what + ": dimension " + parts[i].trim() + " in '" + text + "' must be between 1 and " + Integer.MAX_VALUE);
            }
            product *= d;
            if (product > Integer.MAX_VALUE - 8) {
                throw new UserInputException(what + ": shape '" + text + "' has more elements than one tensor can hold (2^31)");
            }
            dims[i] = (int) d;
        }
        return dims;
    }
}
