using System.Net;
using LexV2.ResourcePolicy.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LexV2.ResourcePolicy.Sample;

/// <summary>
/// <c>serve</c> mode: the emulator over HTTP on 127.0.0.1, so any AWS client (the AWS CLI with <c>--endpoint-url</c>, another
/// language's SDK) can use it exactly as it uses the real service. Runs until SIGINT/SIGTERM.
/// </summary>
public static class EmulatorServer
{
    private const int MaxBodyBytes = 1024 * 1024;

    /// <summary>Serves until stopped; prints <c>Listening on http://127.0.0.1:PORT</c> once it accepts connections.</summary>
    /// <param name="args"><c>[--port N] [--access-key K --secret-key S] [--region R] [--parent-pid P]</c>.</param>
    /// <param name="output">Where the listening line goes.</param>
    /// <param name="stopping">Stops the server (besides SIGINT/SIGTERM).</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunAsync(string[] args, TextWriter output, CancellationToken stopping = default)
    {
        Arguments a;
        try
        {
            a = new Arguments(args);
            if ((a["--access-key"] is null) != (a["--secret-key"] is null))
            {
                throw new ArgumentException("--access-key and --secret-key go together.");
            }
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync("serve: " + e.Message + " Usage: serve [--port N] [--access-key K --secret-key S] [--region R] [--parent-pid P]");
            return 2;
        }

        int port = int.TryParse(a["--port"], out int p) ? p : 0;
        var options = new LexPolicyEmulatorOptions { Region = a["--region"] };
        if (a["--access-key"] is { } key)
        {
            options.Credentials.Clear();
            options.Credentials[key] = a["--secret-key"]!;
        }

        var emulator = new LexPolicyEmulator(options);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, port);
            k.Limits.MaxRequestBodySize = MaxBodyBytes;
        });
        builder.Services.Configure<Microsoft.Extensions.Hosting.HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
        await using var app = builder.Build();
        app.Run(context => HandleAsync(emulator, context));

        await app.StartAsync(stopping);
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        await output.WriteLineAsync("Listening on " + address.Replace("localhost", "127.0.0.1", StringComparison.Ordinal));
        await output.FlushAsync(stopping);
        if (a["--parent-pid"] is { } parent && int.TryParse(parent, out int parentPid))
        {
            // For test harnesses: stop when the process that started us is gone, even if it crashed before stopping us.
            var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
            _ = Task.Run(async () =>
            {
                while (!lifetime.ApplicationStopping.IsCancellationRequested)
                {
                    if (!IsAlive(parentPid))
                    {
                        lifetime.StopApplication();
                        return;
                    }

                    await Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None);
                }
            }, CancellationToken.None);
        }

        await app.WaitForShutdownAsync(stopping);
        return 0;
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

    private static async Task HandleAsync(LexPolicyEmulator emulator, HttpContext context)
    {
        string rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path + context.Request.QueryString;
        if (!Uri.TryCreate("http://" + context.Request.Host + rawTarget, UriKind.Absolute, out var uri))
        {
            context.Response.StatusCode = 400;
            return;
        }

        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), uri);
        // A content object carries the content headers (Content-Type, Content-Length) a client may have signed, even with no body.
        if (body.Length > 0 || context.Request.ContentType is not null || context.Request.Headers.ContentLength is not null)
        {
            request.Content = new ByteArrayContent(body.ToArray());
        }

        foreach (var header in context.Request.Headers)
        {
            if (!request.Headers.TryAddWithoutValidation(header.Key, (IEnumerable<string?>)header.Value))
            {
                request.Content?.Headers.TryAddWithoutValidation(header.Key, (IEnumerable<string?>)header.Value);
            }
        }

        HttpResponseMessage response;
        try
        {
            response = await emulator.ProcessAsync(request, rawTarget, context.RequestAborted);
        }
        catch (HttpRequestException)
        {
            context.Abort(); // an injected dropped connection
            return;
        }

        using (response)
        {
            context.Response.StatusCode = (int)response.StatusCode;
            foreach (var header in response.Headers.Concat(response.Content.Headers))
            {
                if (!string.Equals(header.Key, "Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
                {
                    context.Response.Headers[header.Key] = header.Value.ToArray();
                }
            }

            byte[] bytes = await response.Content.ReadAsByteArrayAsync(context.RequestAborted);
            if (bytes.Length > 0)
            {
                context.Response.ContentLength = bytes.Length;
                await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
            }
        }
    }
}
