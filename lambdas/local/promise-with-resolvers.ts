/**
 * `Promise.withResolvers` for Node 20 (it arrived in Node 22). aws-local-stepfunctions calls it in every Task state;
 * without it each Task fails after its side effect and the state machine's retry repeats the page. The module that
 * constructs the local state machine imports this file first, so every entry point that builds the runtime (npm start,
 * the bench, tests) gets it; a newer Node keeps its own implementation.
 */
declare global {
  interface PromiseConstructor {
    withResolvers<T>(): { promise: Promise<T>; resolve: (value: T | PromiseLike<T>) => void; reject: (reason?: unknown) => void };
  }
}

if (typeof Promise.withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers<T>(this: PromiseConstructor) {
      let resolve!: (value: T | PromiseLike<T>) => void;
      let reject!: (reason?: unknown) => void;
      const promise = new this<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}

export {};
