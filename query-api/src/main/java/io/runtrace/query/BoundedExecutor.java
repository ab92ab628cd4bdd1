package io.runtrace.query;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The request workers: a fixed number of threads and a bounded queue. When both are full, the
 * request still runs, but on the accepting thread and marked as overflow, so the handler answers
 * 503 at once instead of the connection being dropped without a word (what the JDK server does
 * when its executor rejects). The handler does no other work for an overflow request.
 */
final class BoundedExecutor extends ThreadPoolExecutor {
  private static final ThreadLocal<Boolean> OVERFLOW = ThreadLocal.withInitial(() -> false);

  BoundedExecutor(int threads, int queueCapacity) {
    super(threads, threads, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queueCapacity),
        daemonThreads(), (task, executor) -> {
          if (executor.isShutdown()) return;
          OVERFLOW.set(true);
          try {
            task.run();
          } finally {
            OVERFLOW.set(false);
          }
        });
  }

  /** True while the current thread serves a request that found the queue full. */
  static boolean overflowing() {
    return OVERFLOW.get();
  }

  private static java.util.concurrent.ThreadFactory daemonThreads() {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "runtrace-query-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
