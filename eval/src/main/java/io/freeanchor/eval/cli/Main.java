package io.freeanchor.eval.cli;

import io.freeanchor.eval.coco.CocoFormatException;
import io.freeanchor.eval.image.ImageDecodeException;
import io.freeanchor.kernels.Npy;
import io.freeanchor.kernels.opencl.OpenClException;
import io.freeanchor.kernels.opencl.OpenClUnavailableException;
import io.freeanchor.network.ModelException;
import io.freeanchor.onnx.OnnxFormatException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code freeanchor} command. */
@Command(name = "freeanchor", mixinStandardHelpOptions = true, version = "freeanchor 0.1.0",
        description = "Pure-Java inference for FreeAnchor / RetinaNet ONNX models.",
        subcommands = {RunCommand.class, InfoCommand.class, EvalCommand.class, EvaluateCommand.class, DetectCommand.class, DevicesCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {
    /** Exit code for bad input: a file, model, option or shape the user can fix. */
    public static final int EXIT_BAD_INPUT = 2;
    /** Exit code for a failure of ours. */
    public static final int EXIT_INTERNAL = 1;

    public static void main(String[] args) {
        exitWith(Main::execute, args);
    }

    /** The CLI's entry points: run with System's streams, flush, exit with the code. */
    public static void exitWith(Cli cli, String[] args) {
        PrintWriter out = new PrintWriter(System.out, true), err = new PrintWriter(System.err, true);
        int code = cli.execute(args, out, err);
        // print() does not auto-flush: flush before exiting or the last lines are lost.
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** A command line run with given streams, returning the exit code. */
    @FunctionalInterface
    public interface Cli {
        int execute(String[] args, PrintWriter out, PrintWriter err);
    }

    /** Runs the CLI with the given streams; returns the exit code (for tests). */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new Main());
        cli.setParameterExceptionHandler((e, args1) -> {
            err.println("error: " + e.getMessage());
            err.println("(see 'freeanchor " + (e.getCommandLine().getCommandName().equals("freeanchor") ? "" : e.getCommandLine().getCommandName() + " ") + "--help')");
            return EXIT_BAD_INPUT;
        });
        return execute(cli, args, out, err);
    }

    /**
     * Runs a picocli command line (its parameter-error handler already set) with the given streams
     * and our failure conventions ({@link #handle}); returns the exit code.
     */
    public static int execute(CommandLine cli, String[] args, PrintWriter out, PrintWriter err) {
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> handle(e, err));
        try {
            return cli.execute(args);
        } catch (OutOfMemoryError e) {
            // picocli hands only Exceptions to the handler above; an Error escapes execute().
            return handle(e, err);
        }
    }

    /** One line per failure; a stack trace only for our own bugs, and only with FREEANCHOR_DEBUG set. */
    public static int handle(Throwable e, PrintWriter err) {
        if (e instanceof OnnxFormatException || e instanceof Npy.NpyException || e instanceof ModelException
                || e instanceof UserInputException || e instanceof IllegalArgumentException
                || e instanceof ImageDecodeException || e instanceof CocoFormatException
                || e instanceof OpenClUnavailableException) {
            err.println("error: " + e.getMessage());
            return EXIT_BAD_INPUT;
        }
        if (e instanceof OpenClException) {
            err.println("error: OpenCL: " + e.getMessage()); // names the call and the CL_* code
            return EXIT_INTERNAL;
        }
        if (e instanceof OutOfMemoryError) {
            err.println("error: out of Java heap memory (" + e.getMessage() + "); lower the batch or input size, or raise FREEANCHOR_HEAP");
            return EXIT_BAD_INPUT;
        }
        err.println("internal error: " + e + (System.getenv("FREEANCHOR_DEBUG") == null ? " (set FREEANCHOR_DEBUG=1 for a stack trace)" : ""));
        if (System.getenv("FREEANCHOR_DEBUG") != null) {
            e.printStackTrace(err);
        }
        return EXIT_INTERNAL;
    }
}
