using System.Net;
using System.Net.Sockets;

namespace LexV2.ResourcePolicy.Tool.Tests.Commands;

/// <summary>
/// Issue #22, hostile review: lexpolicy against an endpoint on a real loopback socket that answers nothing. The run must end
/// soon, with a clear message per resource, and never report success.
/// </summary>
[Trait("Issue", "22")]
public class HostileEndpointTests
{
    [Fact]
    public async Task Plan_AgainstAnEndpointThatDropsEveryConnection_StopsAfterTheResourcesInFlight_AndSaysWhy()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int connections = 0;
        using var stop = new CancellationTokenSource();
        var accepting = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var socket = await listener.AcceptSocketAsync(stop.Token);
                    Interlocked.Increment(ref connections);
                    socket.Close(); // no answer at all: the connection ends before any byte of a response
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        });
        using var tool = new ToolHarness();
        string file = tool.File_("many.json", EndToEnd.ThrottledScaleTests.Desired("DROP", 40));
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var run = await tool.RunAsync(
            ["plan", "--file", file, "--endpoint-url", $"http://127.0.0.1:{port}", "--max-attempts", "2"],
            new ToolHarness.Setting { Transport = new SocketsHttpHandler { AllowAutoRedirect = false } });
        await stop.CancelAsync();
        listener.Stop();
        await accepting;

        Assert.Equal(1, run.Code);
        Assert.True(connections > 0, run.Err);
        // The four resources in flight were tried (twice each, and .NET's handler reconnects on its own); the other 36 were not,
        // where each of the 40 used to make its own attempts.
        Assert.True(connections < 40, $"{connections} connections: {run.Err}");
        Assert.Equal(36, run.Err.Split('\n').Count(l => l.Contains(": RequestFailed: Not attempted: the service answered no call of this run (", StringComparison.Ordinal)));
        Assert.Contains("40 resource(s) could not be planned; nothing is saved.", run.Err, StringComparison.Ordinal);
    }
}
