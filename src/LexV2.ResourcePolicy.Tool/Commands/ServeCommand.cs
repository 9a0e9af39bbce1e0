using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using LexV2.ResourcePolicy.Testing;

namespace LexV2.ResourcePolicy.Tool.Commands;

/// <summary>
/// <c>lexpolicy serve</c>: the emulator of <c>LexV2.ResourcePolicy.Testing</c> as a process, served on 127.0.0.1 by Kestrel
/// (<c>LexV2.ResourcePolicy.Testing.Server</c>), for the AWS CLI, any SDK or this tool (<c>--endpoint-url</c>): HTTP/1.1 and
/// HTTP/2, HTTPS with a generated certificate (<c>--https</c>), the admin API (<c>--admin</c>), throttling and latency from the
/// start. Stops on SIGINT/SIGTERM, or when the <c>--parent-pid</c> process is gone.
/// </summary>
internal static class ServeCommand
{
    public static Command Create(GlobalOptions globals, ToolEnvironment env)
    {
        var port = new Option<int>("--port") { Description = "The port on 127.0.0.1 (default 0: a free one; the listening line says which).", DefaultValueFactory = _ => 0 };
        var accessKey = new Option<string?>("--access-key") { Description = $"The access key id requests must be signed with (default {LexPolicyEmulatorOptions.ExampleAccessKey}, AWS's documentation example)." };
        var secretKey = new Option<string?>("--secret-key") { Description = "Its secret key (with --access-key)." };
        var parent = new Option<int?>("--parent-pid") { Description = "Stop when this process is gone (for test harnesses, so a crashed harness leaves no server behind)." };
        var https = new Option<bool>("--https") { Description = "Serve HTTPS with a generated self-signed certificate for 127.0.0.1, ::1 and localhost; prints the path of its PEM file (for boto3's verify=, NODE_EXTRA_CA_CERTS, curl --cacert)." };
        var admin = new Option<bool>("--admin") { Description = "Serve the admin API under /__emulator/ (reset, faults, the request log, policies), unauthenticated, on the same listener." };
        var throttleAbove = new Option<double?>("--throttle-above") { Description = "Answer 429 ThrottlingException to requests beyond this many a second (RPS)." };
        var latency = new Option<int?>("--latency") { Description = "Milliseconds added to every answer (MS)." };
        var command = new Command("serve", "Run the emulator on 127.0.0.1 until Ctrl+C/SIGTERM; prints 'Listening on http://127.0.0.1:PORT'. --region sets the region requests must be signed for (default: AWS_REGION, then AWS_DEFAULT_REGION; without any, every region).")
        {
            port, accessKey, secretKey, parent, https, admin, throttleAbove, latency,
        };
        Invocation.SetAction(command, globals, env, async (run, ct) =>
        {
            int chosen = run.Get(port);
            if (chosen is < 0 or > 65535)
            {
                throw new ToolException($"--port must be between 0 and 65535 (was {chosen}).");
            }

            string? key = run.Get(accessKey), secret = run.Get(secretKey);
            if ((key is null) != (secret is null))
            {
                throw new ToolException("--access-key and --secret-key go together.");
            }

            if (run.Get(throttleAbove) is { } rate && (!(rate > 0) || double.IsInfinity(rate)))
            {
                throw new ToolException($"--throttle-above must be a positive number of requests a second (was {rate.ToString(CultureInfo.InvariantCulture)}).");
            }

            if (run.Get(latency) is < 0 or > 600_000)
            {
                throw new ToolException($"--latency must be 0 to 600000 milliseconds (was {run.Get(latency)?.ToString(CultureInfo.InvariantCulture)}).");
            }

            var options = new LexPolicyEmulatorOptions { Region = Region(run.Parse.GetValue(globals.Region), env) };
            if (key is not null)
            {
                options.Credentials.Clear();
                options.Credentials[key] = secret!;
            }

            if (run.Get(parent) is <= 0 and var notAPid)
            {
                // Process ids start at 1; 0 (an unset variable, often) names no process that ever exits.
                throw new ToolException($"--parent-pid must be a process id, 1 or more (was {notAPid.ToString(CultureInfo.InvariantCulture)}).");
            }

            if (run.Get(parent) is { } parentPid && !IsAlive(parentPid))
            {
                throw new ToolException($"--parent-pid {parentPid.ToString(CultureInfo.InvariantCulture)}: no such process.");
            }

            var serverOptions = new LexPolicyEmulatorServerOptions
            {
                Port = chosen,
                UseHttps = run.Get(https),
                EnableAdminApi = run.Get(admin),
                ThrottleAbove = run.Get(throttleAbove),
                Latency = TimeSpan.FromMilliseconds(run.Get(latency) ?? 0),
            };
            await using var server = StartServer(new LexPolicyEmulator(options), serverOptions);
            await run.Out.WriteLineAsync("Listening on " + server.Endpoint.GetLeftPart(UriPartial.Authority));
            using var pem = server.Certificate is { } certificate ? PemFile.Write(certificate, server.Endpoint.Port) : null;
            if (pem is not null)
            {
                await run.Out.WriteLineAsync("Certificate (PEM): " + pem.Path);
            }

            await run.Out.FlushAsync(CancellationToken.None);

            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct, env.Stopping);
            try
            {
                await (run.Get(parent) is { } pid ? WatchParentAsync(pid, stop.Token) : Task.Delay(Timeout.Infinite, stop.Token));
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // SIGINT, SIGTERM or the caller's stop: a normal end.
            }

            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The region requests must be signed for: <c>--region</c>, else AWS_REGION, else AWS_DEFAULT_REGION; none accepts every region.</summary>
    internal static string? Region(string? option, ToolEnvironment env) =>
        new[] { option, env.GetEnvironmentVariable("AWS_REGION"), env.GetEnvironmentVariable("AWS_DEFAULT_REGION") }
            .FirstOrDefault(r => !string.IsNullOrWhiteSpace(r))?.Trim();

    private static LexPolicyEmulatorServer StartServer(LexPolicyEmulator emulator, LexPolicyEmulatorServerOptions options)
    {
        try
        {
            return LexPolicyEmulatorServer.Start(emulator, options);
        }
        catch (IOException e)
        {
            throw new ToolException($"cannot listen on 127.0.0.1:{options.Port.ToString(CultureInfo.InvariantCulture)}: {e.Message}");
        }
    }

    /// <summary>
    /// The served certificate as a PEM file, for clients to trust, in a new directory of the temporary folder that only this
    /// user can open (a name nobody can predict or plant a file or link at first); both deleted when serve ends.
    /// </summary>
    private sealed class PemFile : IDisposable
    {
        private readonly DirectoryInfo _directory;

        private PemFile(DirectoryInfo directory, string path)
        {
            _directory = directory;
            Path = path;
        }

        public string Path { get; }

        public static PemFile Write(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate, int port)
        {
            var directory = Directory.CreateTempSubdirectory("lexpolicy-serve-");
            string path = System.IO.Path.Combine(directory.FullName, $"emulator-{port.ToString(CultureInfo.InvariantCulture)}.pem");
            using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
            using (var writer = new StreamWriter(file))
            {
                writer.Write(certificate.ExportCertificatePem() + "\n");
            }

            return new PemFile(directory, path);
        }

        public void Dispose()
        {
            try
            {
                _directory.Delete(recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Left in the temporary folder: a public certificate, no secret.
            }
        }
    }

    private static async Task WatchParentAsync(int pid, CancellationToken ct)
    {
        while (IsAlive(pid))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
