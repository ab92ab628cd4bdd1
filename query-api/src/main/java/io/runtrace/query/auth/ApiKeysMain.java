package io.runtrace.query.auth;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code bin/runtrace-keys}: {@code create --tenant <t> [--environment <e> …] [--file <path>]}
 * prints a new key once (on stdout, alone on its line; what else it says goes to stderr);
 * {@code list [--file <path>]} shows ids and tenants, never keys; {@code revoke <id> [--file <path>]}.
 * The file defaults to {@code RUNTRACE_QUERY_API_KEYS_FILE}, else {@code .runtrace/api-keys.json}.
 */
public final class ApiKeysMain {
  static final String USAGE = """
      usage: runtrace-keys create --tenant <tenant> [--environment <env> ...] [--file <path>]
             runtrace-keys list [--file <path>]
             runtrace-keys revoke <key-id> [--file <path>]
      The file defaults to $RUNTRACE_QUERY_API_KEYS_FILE, else .runtrace/api-keys.json.""";

  private ApiKeysMain() {}

  public static void main(String[] args) {
    System.exit(run(args, System.getenv(), System.out, System.err));
  }

  /** Runs one command; returns the exit status (0 done, 1 failed, 2 bad usage). */
  static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    if (args.length == 0) return usage(err, "no command");
    String command = args[0];
    Path file = defaultFile(env);
    String tenant = null;
    List<String> environments = new ArrayList<>();
    List<String> positional = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--tenant", "--environment", "--file" -> {
          if (i + 1 >= args.length) return usage(err, a + " needs a value");
          String v = args[++i];
          if (a.equals("--tenant")) tenant = v;
          else if (a.equals("--environment")) environments.add(v);
          else file = Path.of(v);
        }
        default -> {
          if (a.startsWith("--")) return usage(err, "unknown option " + a);
          positional.add(a);
        }
      }
    }
    try {
      switch (command) {
        case "create" -> {
          if (tenant == null) return usage(err, "create needs --tenant");
          if (!positional.isEmpty()) return usage(err, "unexpected " + positional.get(0));
          ApiKeyFiles.CreatedKey k = ApiKeyFiles.create(file, tenant, environments, Clock.systemUTC());
          err.println("Created " + k.id() + " for tenant " + tenant + ", "
              + (environments.isEmpty() ? "every environment" : "environments " + String.join(", ", environments))
              + ", in " + file + ". The key is shown only this once:");
          out.println(k.key());
        }
        case "list" -> {
          if (!positional.isEmpty()) return usage(err, "unexpected " + positional.get(0));
          out.printf("%-17s %-24s %-24s %s%n", "ID", "TENANT", "ENVIRONMENTS", "CREATED");
          for (ApiKeyFiles.KeyInfo k : ApiKeyFiles.list(file)) {
            out.printf("%-17s %-24s %-24s %s%n", k.id(), k.tenant(),
                k.environments().isEmpty() ? "*" : String.join(",", k.environments()), k.created());
          }
        }
        case "revoke" -> {
          if (positional.size() != 1) return usage(err, "revoke needs one key id");
          if (!ApiKeyFiles.revoke(file, positional.get(0))) {
            err.println("runtrace-keys: no key " + positional.get(0) + " in " + file);
            return 1;
          }
          err.println("Revoked " + positional.get(0) + " in " + file + "; a running service stops accepting it within seconds.");
        }
        default -> {
          return usage(err, "unknown command " + command);
        }
      }
      return 0;
    } catch (IOException | IllegalArgumentException e) {
      err.println("runtrace-keys: " + e.getMessage());
      return 1;
    }
  }

  static Path defaultFile(Map<String, String> env) {
    String configured = env.get("RUNTRACE_QUERY_API_KEYS_FILE");
    return configured == null || configured.isBlank() ? ApiKeyFiles.DEFAULT_FILE : Path.of(configured);
  }

  private static int usage(PrintStream err, String problem) {
    err.println("runtrace-keys: " + problem);
    err.println(USAGE);
    return 2;
  }
}
