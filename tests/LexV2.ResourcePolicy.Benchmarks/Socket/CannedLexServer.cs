using System.Diagnostics;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LexV2.ResourcePolicy.Benchmarks.Socket;

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1 (a free port, keep-alive) that answers every CreateResourcePolicyStatement with a
/// canned 200 and every DeleteResourcePolicyStatement with 204, verifying nothing: only the clients' costs differ.
/// It runs in a child process (<see cref="ServerProcess"/>), so the client process's CPU, allocations and work items are the
/// client's own. It stops when its standard input closes, i.e. when the parent exits or lets go of it.
/// </summary>
public static class CannedLexServer
{
    public const string Argument = "--canned-lex-server";

    private static readonly byte[] Created = """{"resourceArn":"arn:aws:lex:us-east-1:123456789012:bot-alias/ABCDEFGHIJ/TSTALIASID","revisionId":"1"}"""u8.ToArray();
    private static readonly byte[] Unknown = """{"__type":"ValidationException","message":"the canned benchmark server answers CreateResourcePolicyStatement and DeleteResourcePolicyStatement only"}"""u8.ToArray();

    /// <summary>Serves until standard input closes; prints <c>Listening on http://127.0.0.1:PORT</c> once it accepts connections.</summary>
    public static async Task<int> RunAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http1);
        });
        await using var app = builder.Build();
        app.Run(Answer);
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        Console.WriteLine($"Listening on {address}");
        await Console.Out.FlushAsync();

        // The parent holds our standard input open for as long as it wants us: EOF (it closed it, or it died) stops the server.
        await Console.In.ReadToEndAsync();
        await app.StopAsync();
        return 0;
    }

    private static Task Answer(HttpContext context)
    {
        var response = context.Response;
        response.Headers["x-amzn-RequestId"] = "canned-request-id";
        // The paths end in "/" from the .NET and Python SDKs, without it from the JavaScript SDK v3.
        string path = (context.Request.Path.Value ?? "").TrimEnd('/');
        if (HttpMethods.IsPost(context.Request.Method) && path.EndsWith("/statements", StringComparison.Ordinal))
        {
            response.StatusCode = 200;
            response.ContentType = "application/json";
            response.ContentLength = Created.Length;
            return response.Body.WriteAsync(Created).AsTask();
        }

        if (HttpMethods.IsDelete(context.Request.Method) && path.Contains("/statements/", StringComparison.Ordinal))
        {
            response.StatusCode = 204;
            return Task.CompletedTask;
        }

        response.StatusCode = 400;
        response.ContentType = "application/json";
        response.ContentLength = Unknown.Length;
        return response.Body.WriteAsync(Unknown).AsTask();
    }
}

/// <summary>The canned server in a child process (this benchmark program started again with <see cref="CannedLexServer.Argument"/>).</summary>
public sealed class ServerProcess : IDisposable
{
    private readonly Process _process;

    private ServerProcess(Process process, Uri endpoint)
    {
        _process = process;
        Endpoint = endpoint;
    }

    public Uri Endpoint { get; }

    public int ProcessId => _process.Id;

    public static ServerProcess Start()
    {
        var start = ChildProcess.StartInfo(typeof(CannedLexServer).Assembly.Location, [CannedLexServer.Argument]);
        start.RedirectStandardInput = true;
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the canned server process");
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            string? line = process.StandardOutput.ReadLine();
            if (line is null)
            {
                break;
            }

            if (line.StartsWith("Listening on ", StringComparison.Ordinal))
            {
                return new ServerProcess(process, new Uri(line["Listening on ".Length..]));
            }
        }

        process.Kill();
        throw new InvalidOperationException("the canned server did not start: " + process.StandardError.ReadToEnd());
    }

    public void Dispose()
    {
        _process.StandardInput.Close();
        if (!_process.WaitForExit(TimeSpan.FromSeconds(10)))
        {
            _process.Kill();
        }

        _process.Dispose();
    }
}

/// <summary>Starts .NET child processes with the same <c>dotnet</c> host that runs this process.</summary>
public static class ChildProcess
{
    /// <summary>The <c>dotnet</c> host of the running runtime (…/dotnet/shared/Microsoft.NETCore.App/VERSION/ → …/dotnet/dotnet).</summary>
    public static string DotnetHost { get; } = FindHost();

    public static ProcessStartInfo StartInfo(string assemblyPath, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(DotnetHost)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(assemblyPath);
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }

    private static string FindHost()
    {
        string name = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        if (Environment.ProcessPath is { } self && Path.GetFileName(self) == name)
        {
            return self;
        }

        string runtime = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        string candidate = Path.GetFullPath(Path.Combine(runtime, "..", "..", "..", name));
        return File.Exists(candidate) ? candidate : name;
    }
}
