using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using LexV2.ResourcePolicy.Testing;

namespace LexV2.ResourcePolicy.Tool.Commands;

/// <summary>
/// <c>lexpolicy serve</c>: the emulator of <c>LexV2.ResourcePolicy.Testing</c> as a process, on 127.0.0.1, for the AWS CLI, any
/// SDK or this tool (<c>--endpoint-url</c>). Stops on SIGINT/SIGTERM, or when the <c>--parent-pid</c> process is gone.
/// </summary>
internal static class ServeCommand
{
    public static Command Create(GlobalOptions globals, ToolEnvironment env)
    {
        var port = new Option<int>("--port") { Description = "The port on 127.0.0.1 (default 0: a free one; the listening line says which).", DefaultValueFactory = _ => 0 };
        var accessKey = new Option<string?>("--access-key") { Description = $"The access key id requests must be signed with (default {LexPolicyEmulatorOptions.ExampleAccessKey}, AWS's documentation example)." };
        var secretKey = new Option<string?>("--secret-key") { Description = "Its secret key (with --access-key)." };
        var parent = new Option<int?>("--parent-pid") { Description = "Stop when this process is gone (for test harnesses, so a crashed harness leaves no server behind)." };
        var command = new Command("serve", "Run the emulator on 127.0.0.1 until Ctrl+C/SIGTERM; prints 'Listening on http://127.0.0.1:PORT'. --region sets the region requests must be signed for (default: any).")
        {
            port, accessKey, secretKey, parent,
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

            var options = new LexPolicyEmulatorOptions { Region = run.Parse.GetValue(globals.Region) };
            if (key is not null)
            {
                options.Credentials.Clear();
                options.Credentials[key] = secret!;
            }

            if (run.Get(parent) is { } parentPid && !IsAlive(parentPid))
            {
                throw new ToolException($"--parent-pid {parentPid.ToString(CultureInfo.InvariantCulture)}: no such process.");
            }

            await using var server = StartServer(new LexPolicyEmulator(options), chosen);
            await run.Out.WriteLineAsync($"Listening on http://127.0.0.1:{server.Endpoint.Port.ToString(CultureInfo.InvariantCulture)}");
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

    private static LexPolicyEmulatorServer StartServer(LexPolicyEmulator emulator, int port)
    {
        try
        {
            return LexPolicyEmulatorServer.Start(emulator, port);
        }
        catch (System.Net.Sockets.SocketException e)
        {
            throw new ToolException($"cannot listen on 127.0.0.1:{port}: {e.Message}");
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
