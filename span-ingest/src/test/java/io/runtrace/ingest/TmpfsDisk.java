package io.runtrace.ingest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A size-limited tmpfs mounted over a directory, keeping what the directory held; needs root. */
final class TmpfsDisk {
  private TmpfsDisk() {}

  static boolean canMount() {
    return "root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/bin/mount"));
  }

  /** Mounts a tmpfs of {@code extraBytes} more than {@code dir} now holds over {@code dir}, copying its content in. */
  static void mountOver(Path dir, long extraBytes) throws IOException, InterruptedException {
    Path saved = dir.resolveSibling(dir.getFileName() + ".saved");
    run("mv", dir.toString(), saved.toString());
    Files.createDirectories(dir);
    long used = Long.parseLong(output("du", "-sb", saved.toString()).split("\\s+")[0]);
    run("mount", "-t", "tmpfs", "-o", "size=" + (used + extraBytes), "tmpfs", dir.toString());
    run("cp", "-a", "--sparse=always", saved + "/.", dir.toString());
    run("rm", "-rf", saved.toString());
  }

  /** Unmounts every tmpfs under {@code root}, for example left by a killed test JVM. */
  static void unmountAllUnder(Path root) throws IOException, InterruptedException {
    String prefix = root.toAbsolutePath().normalize().toString();
    for (String line : Files.readAllLines(Path.of("/proc/mounts"))) {
      String[] f = line.split(" ");
      if (f.length > 2 && f[2].equals("tmpfs") && f[1].startsWith(prefix)) run("umount", "-l", f[1]);
    }
  }

  private static void run(String... command) throws IOException, InterruptedException {
    String out = output(command);
    if (out == null) throw new IOException(String.join(" ", command) + " failed");
  }

  private static String output(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException(String.join(" ", command) + ": " + out);
    return out;
  }
}
