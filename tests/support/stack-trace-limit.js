/**
 * A setup file of both jest projects (tests/support/jest-projects.js): stack traces of 10 frames, Node's own default,
 * instead of the 100 that jest-environment-node sets. @pulumi/pulumi reads `new Error().stack` for every promise
 * it makes (runtime/debuggable.js), and jest maps each frame through source maps: a render of a stack spent a
 * seventh of its time there. A failing test's message still shows the ten innermost frames, the test's own among them.
 */
Error.stackTraceLimit = 10;
