using System.Runtime.InteropServices;
using LexV2.ResourcePolicy.Testing;

namespace LexV2.ResourcePolicy.Sample;

/// <summary>
/// <c>serve</c> mode: the emulator over HTTP on 127.0.0.1 (<see cref="LexPolicyEmulatorServer"/>, on Kestrel), so any AWS client (the AWS
/// CLI with <c>--endpoint-url</c>, another language's SDK) can use it exactly as it uses the real service. Runs until
/// SIGINT/SIGTERM, or until the process given by <c>--parent-pid</c> is gone.
/// </summary>
public static class EmulatorServer
{
    private const string Usage = "Usage: serve [--port N] [--access-key K --secret-key S] [--region R] [--parent-pid P]";

    /// <summary>Serves until stopped; prints <c>Listening on http://127.0.0.1:PORT</c> once it accepts connections.</summary>
    /// <param name="args"><c>[--port N] [--access-key K --secret-key S] [--region R] [--parent-pid P]</c>.</param>
    /// <param name="output">Where the listening line goes.</param>
    /// <param name="stopping">Stops the server (besides SIGINT/SIGTERM).</param>
    /// <returns>The exit code: 0 after a stop, 1 when the port cannot be used, 2 for bad arguments.</returns>
    public static async Task<int> RunAsync(string[] args, TextWriter output, CancellationToken stopping = default)
    {
        Arguments a;
        int port = 0, parentPid = 0;
        try
        {
            a = new Arguments(args);
            if ((a["--access-key"] is null) != (a["--secret-key"] is null))
            {
                throw new ArgumentException("--access-key and --secret-key go together.");
            }

            if ((a["--port"] is { } p && !int.TryParse(p, out port)) || (a["--parent-pid"] is { } pid && !int.TryParse(pid, out parentPid)))
            {
                throw new ArgumentException("--port and --parent-pid take numbers.");
            }
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync("serve: " + e.Message + " " + Usage);
            return 2;
        }

        var options = new LexPolicyEmulatorOptions { Region = a["--region"] };
        if (a["--access-key"] is { } key)
        {
            options.Credentials.Clear();
            options.Credentials[key] = a["--secret-key"]!;
        }

        LexPolicyEmulatorServer server;
        try
        {
            server = LexPolicyEmulatorServer.Start(new LexPolicyEmulator(options), port);
        }
        catch (Exception e) when (e is IOException or ArgumentException)
        {
            await Console.Error.WriteLineAsync($"serve: cannot listen on 127.0.0.1:{port}: {e.Message}");
            return 1;
        }

        await using (server)
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            using var sigint = OnSignal(PosixSignal.SIGINT, stop);
            using var sigterm = OnSignal(PosixSignal.SIGTERM, stop);
            await output.WriteLineAsync("Listening on " + server.Endpoint.GetLeftPart(UriPartial.Authority));
            await output.FlushAsync(stopping);
            if (parentPid != 0)
            {
                // For test harnesses: stop when the process that started us is gone, even if it crashed before stopping us.
                _ = WatchParentAsync(parentPid, stop);
            }

            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token);
            }
            catch (OperationCanceledException)
            {
                // Stopped.
            }
        }

        return 0;
    }

    private static PosixSignalRegistration? OnSignal(PosixSignal signal, CancellationTokenSource stop)
    {
        try
        {
            return PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true; // exit through the normal path (close connections, exit code 0)
                stop.Cancel();
            });
        }
        catch (PlatformNotSupportedException)
        {
            return null;
        }
    }

    private static async Task WatchParentAsync(int parentPid, CancellationTokenSource stop)
    {
        while (!stop.IsCancellationRequested)
        {
            if (!IsAlive(parentPid))
            {
                await stop.CancelAsync();
                return;
            }

            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var p = System.Diagnostics.Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
