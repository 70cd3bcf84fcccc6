package io.freeanchor.network.ops;

/** Parses one node's attributes and input types into a {@link Step}, or fails with a clear message. */
@FunctionalInterface
public interface OpFactory {
    Step create(NodeContext context);
}
