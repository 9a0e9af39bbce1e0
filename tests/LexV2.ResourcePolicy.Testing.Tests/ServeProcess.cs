using System.Diagnostics;
using System.Globalization;

namespace LexV2.ResourcePolicy.Testing.Tests;

/// <summary>The sample's serve mode in its own process (stopped with SIGTERM on dispose), so its memory can be read from /proc.</summary>
internal sealed class ServeProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ServeProcess(Process process, Uri endpoint)
    {
        _process = process;
        Endpoint = endpoint;
    }

    public Uri Endpoint { get; }

    public int Id => _process.Id;

    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    public static async Task<ServeProcess> StartAsync(params string[] extraArguments)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "LexV2.ResourcePolicy.Sample.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { dll, "serve", "--port", "0", "--parent-pid", Environment.ProcessId.ToString(CultureInfo.InvariantCulture) }.Concat(extraArguments))
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        string? line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
        if (line is null || !line.StartsWith("Listening on ", StringComparison.Ordinal))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"serve mode did not start: '{line}' {await process.StandardError.ReadToEndAsync()}");
        }

        _ = process.StandardError.ReadToEndAsync(); // drain, so the child never blocks on a full pipe
        return new ServeProcess(process, new Uri(line["Listening on ".Length..]));
    }

    /// <summary>The first line of <c>Listening on ...</c> output, as printed.</summary>
    public string ListeningLine => "Listening on " + Endpoint.GetLeftPart(UriPartial.Authority);

    /// <summary>A value in kB from /proc/PID/status (VmRSS: resident now, VmHWM: peak resident).</summary>
    public long StatusKiB(string field)
    {
        string line = File.ReadLines($"/proc/{_process.Id}/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }

    /// <summary>Sends SIGTERM and waits; whether the process exited within the timeout.</summary>
    public bool Stop(TimeSpan timeout)
    {
        if (!_process.HasExited)
        {
            Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
        }

        return _process.WaitForExit(timeout);
    }

    public ValueTask DisposeAsync()
    {
        if (!Stop(TimeSpan.FromSeconds(15)))
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
        return ValueTask.CompletedTask;
    }
}
