/**
 * The bounded in-process compute pool ({@code @CpuBound} routes) and the isolated child-process
 * executor, usable without HTTP. Arrives with the issues "Annotated routes and the execution
 * models" and "The isolated child-process executor".
 */
package io.cadre.compute;
