using LexV2.ResourcePolicy.Sample;

namespace LexV2.ResourcePolicy.Testing.Tests;

/// <summary>The sample's serve mode, started in-process on a free loopback port and stopped on dispose.</summary>
internal sealed class ServedEmulator : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop;
    private readonly Task _server;

    private ServedEmulator(CancellationTokenSource stop, Task server, Uri endpoint)
    {
        _stop = stop;
        _server = server;
        Endpoint = endpoint;
    }

    public Uri Endpoint { get; }

    public static async Task<ServedEmulator> StartAsync(TimeSpan lifetime)
    {
        var stop = new CancellationTokenSource(lifetime);
        var listening = new ListeningWriter();
        Task server = EmulatorServer.RunAsync(["--port", "0"], listening, stop.Token);
        Uri endpoint = await listening.Address.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return new ServedEmulator(stop, server, endpoint);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _server;
        _stop.Dispose();
    }

    /// <summary>Completes <see cref="Address"/> when serve mode prints its listening line.</summary>
    private sealed class ListeningWriter : StringWriter
    {
        public TaskCompletionSource<Uri> Address { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override Task WriteLineAsync(string? value)
        {
            if (value?.StartsWith("Listening on ", StringComparison.Ordinal) == true)
            {
                Address.TrySetResult(new Uri(value["Listening on ".Length..]));
            }

            return base.WriteLineAsync(value);
        }
    }
}
