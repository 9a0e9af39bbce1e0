using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace LexV2.ResourcePolicy.TestSupport;

/// <summary>
/// Whether a server stopped listening on its loopback port, asked of the server's own listening sockets rather than of the port
/// number: once the server lets the port go, another listener (a test running in parallel, another CI run on the machine) may
/// bind the same number, and a connection to it would then succeed although the server did stop. On Linux the sockets that
/// listen on the port while the server runs are noted by their inode (<c>/proc/net/tcp</c> and <c>tcp6</c>), and the server has
/// stopped when none of them listens any more; elsewhere the check is a connection to the port being refused.
/// </summary>
internal sealed class ListeningPort
{
    private readonly int _port;
    private readonly HashSet<string>? _sockets;

    private ListeningPort(int port, HashSet<string>? sockets)
    {
        _port = port;
        _sockets = sockets;
    }

    /// <summary>Notes the sockets listening on <paramref name="port"/> now, while the server runs; none is an error.</summary>
    public static ListeningPort Of(int port)
    {
        var sockets = Listening(port);
        return sockets is { Count: 0 }
            ? throw new InvalidOperationException($"Nothing listens on port {port.ToString(CultureInfo.InvariantCulture)}.")
            : new ListeningPort(port, sockets);
    }

    /// <summary>Whether every socket noted by <see cref="Of"/> has stopped listening.</summary>
    public async Task<bool> IsClosedAsync()
    {
        if (_sockets is not null)
        {
            return !_sockets.Overlaps(Listening(_port)!);
        }

        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await probe.ConnectAsync(IPAddress.Loopback, _port);
            return false;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    /// <summary>The inodes of the TCP sockets in the LISTEN state on <paramref name="port"/>; <see langword="null"/> without /proc.</summary>
    private static HashSet<string>? Listening(int port)
    {
        string[] tables = [.. new[] { "/proc/net/tcp", "/proc/net/tcp6" }.Where(File.Exists)];
        if (!OperatingSystem.IsLinux() || tables.Length == 0)
        {
            return null;
        }

        // "sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...": the local address
        // ends in the port in hexadecimal, 0A is LISTEN.
        string hexPort = ":" + port.ToString("X4", CultureInfo.InvariantCulture);
        return [.. tables.SelectMany(t => File.ReadLines(t).Skip(1))
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length > 9 && f[1].EndsWith(hexPort, StringComparison.Ordinal) && f[3] == "0A")
            .Select(f => f[9])];
    }
}
