using System.Text.Json;
using LexV2.ResourcePolicy.Configuration;

namespace LexV2.ResourcePolicy.Tests.Configuration;

/// <summary>
/// The shared config file read as the AWS CLI (botocore) reads it, row by row from <c>shared-config-cases.json</c>: each row
/// is a set of files under a fresh HOME, an environment and optionally a profile named in code, with the region, endpoint and
/// source the library must resolve, or the error it must raise. <c>bash eng/config-diff.sh</c> replays the same rows through
/// botocore: botocore resolves the same region and endpoint on every row, except where the row records a difference and why
/// (the .NET SDK's precedence of <c>AWS_REGION</c> and of a profile named in code; files botocore refuses and the library reads;
/// a malformed URL botocore takes as it is and the library refuses).
/// </summary>
public sealed class SharedConfigTableTests
{
    private static readonly Lazy<JsonElement> Table = new(() =>
    {
        using var stream = typeof(SharedConfigTableTests).Assembly.GetManifestResourceStream("shared-config-cases.json")!;
        return JsonDocument.Parse(stream).RootElement.GetProperty("rows").Clone();
    });

    public static TheoryData<string> Rows()
    {
        var rows = new TheoryData<string>();
        foreach (var row in Table.Value.EnumerateArray())
        {
            rows.Add(row.GetProperty("name").GetString()!);
        }

        return rows;
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void Row(string name)
    {
        JsonElement row = Table.Value.EnumerateArray().Single(r => r.GetProperty("name").GetString() == name);
        string home = Directory.CreateTempSubdirectory("lexpolicy-config-table-").FullName;
        try
        {
            if (row.TryGetProperty("files", out var files))
            {
                foreach (var file in files.EnumerateObject())
                {
                    string path = Path.Combine(home, file.Name);
                    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                    File.WriteAllText(path, file.Value.GetString());
                }
            }

            var env = new Dictionary<string, string?> { ["HOME"] = home };
            if (row.TryGetProperty("env", out var variables))
            {
                foreach (var v in variables.EnumerateObject())
                {
                    env[v.Name] = v.Value.GetString()!.Replace("{dir}", home, StringComparison.Ordinal);
                }
            }

            var options = new LexPolicyClientOptions { Profile = row.TryGetProperty("profile", out var p) ? p.GetString() : null };
            JsonElement expect = row.GetProperty("expect");
            ClientSettings Resolve() => ClientSettings.Resolve(options, SharedConfig.Load(options.Profile, n => env.TryGetValue(n, out var value) ? value : null));

            if (expect.TryGetProperty("error", out var error))
            {
                var e = Record.Exception(Resolve);
                Assert.True(e is InvalidOperationException, e is null ? $"resolved without error: {Describe(Resolve())}" : e.ToString());
                Assert.Contains(error.GetString()!, e!.Message, StringComparison.Ordinal);
                return;
            }

            ClientSettings settings = Resolve();
            Assert.Equal(expect.GetProperty("region").GetString(), settings.Region);
            Assert.Equal(expect.GetProperty("endpoint").GetString(), settings.Endpoint.ToString());
            if (expect.TryGetProperty("endpointSource", out var endpointSource))
            {
                Assert.Contains(endpointSource.GetString()!, settings.EndpointSource, StringComparison.Ordinal);
            }

            if (expect.TryGetProperty("regionSource", out var regionSource))
            {
                Assert.Contains(regionSource.GetString()!, settings.RegionSource, StringComparison.Ordinal);
            }
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    private static string Describe(ClientSettings s) => $"region {s.Region} ({s.RegionSource}), endpoint {s.Endpoint} ({s.EndpointSource})";

    /// <summary>Every row that departs from botocore says why; the table's own consistency, checked where CI runs.</summary>
    [Fact]
    public void EveryDifferenceFromBotocore_GivesItsReason()
    {
        foreach (var row in Table.Value.EnumerateArray())
        {
            if (row.TryGetProperty("botocore", out _))
            {
                Assert.True(row.TryGetProperty("why", out var why) && why.GetString() is { Length: > 10 }, row.GetProperty("name").GetString());
            }
        }
    }
}
