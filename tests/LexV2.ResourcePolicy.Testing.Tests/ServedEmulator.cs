namespace LexV2.ResourcePolicy.Testing.Tests;

/// <summary>
/// The emulator served over HTTP in-process (<see cref="LexPolicyEmulatorServer"/>, what serve mode runs) on a free loopback
/// port, stopped on dispose or when its lifetime ends. Runs on every target framework (the sample is net10.0 only).
/// </summary>
internal sealed class ServedEmulator : IAsyncDisposable
{
    private readonly LexPolicyEmulatorServer _server;
    private readonly CancellationTokenSource _lifetime;

    private ServedEmulator(LexPolicyEmulatorServer server, TimeSpan lifetime)
    {
        _server = server;
        _lifetime = new CancellationTokenSource(lifetime);
        _lifetime.Token.Register(() => _ = _server.DisposeAsync().AsTask());
    }

    public Uri Endpoint => _server.Endpoint;

    public static Task<ServedEmulator> StartAsync(TimeSpan lifetime) =>
        Task.FromResult(new ServedEmulator(LexPolicyEmulatorServer.Start(new LexPolicyEmulator()), lifetime));

    public async ValueTask DisposeAsync()
    {
        _lifetime.Dispose();
        await _server.DisposeAsync();
    }
}
