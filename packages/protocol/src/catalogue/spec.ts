/**
 * How the catalogue declares a message: a method has a params schema and a
 * result schema, a signal only params. Tables of them make up one direction of
 * one link; the types below derive every handler's and caller's types from them.
 */
import type { Infer, Schema } from '../schema.js';

export type MethodSpec<P = unknown, R = unknown> = { params: Schema<P>; result: Schema<R> };
export type SignalSpec<P = unknown> = { params: Schema<P> };
export type MethodTable = Record<string, MethodSpec>;
export type SignalTable = Record<string, SignalSpec>;

export type ParamsOf<T extends MethodTable, M extends keyof T> = Infer<T[M]['params']>;
export type ResultOf<T extends MethodTable, M extends keyof T> = Infer<T[M]['result']>;
export type SignalParamsOf<T extends SignalTable, S extends keyof T> = Infer<T[S]['params']>;

export function method<P, R>(params: Schema<P>, result: Schema<R>): MethodSpec<P, R> {
  return { params, result };
}

export function signal<P>(params: Schema<P>): SignalSpec<P> {
  return { params };
}
