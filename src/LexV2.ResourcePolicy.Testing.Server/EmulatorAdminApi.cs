using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

namespace LexV2.ResourcePolicy.Testing;

/// <summary>
/// The admin API, under the reserved prefix <c>/__emulator/</c> (AWS never uses it), for test suites in any language: reset,
/// faults, the request log, and policies read and written directly. JSON in and out (System.Text.Json source generation);
/// errors are 400 or 404 with <c>{"message": ...}</c> naming the member and the rule. The JSON is documented in the package
/// README and kept stable.
/// </summary>
internal static partial class EmulatorAdminApi
{
    public const string Prefix = "/__emulator";
    private const string PoliciesPrefix = Prefix + "/policies/";

    public static void Map(IEndpointRouteBuilder routes, LexPolicyEmulator emulator, LexPolicyEmulatorServerOptions options)
    {
        routes.MapPost(Prefix + "/reset", context =>
        {
            emulator.Reset();
            options.ApplyFaults(emulator.Faults);
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            return Task.CompletedTask;
        });
        routes.MapPost(Prefix + "/faults", context => FaultsAsync(context, emulator));
        routes.MapGet(Prefix + "/requests", context => WriteAsync(context, StatusCodes.Status200OK, emulator.Requests.Select(Describe).ToList(), EmulatorAdminJson.Default.ListRecordedRequestDocument));
        routes.MapGet(PoliciesPrefix + "{**arn}", context => GetPolicyAsync(context, emulator));
        routes.MapPut(PoliciesPrefix + "{**arn}", context => PutPolicyAsync(context, emulator));
    }

    private static async Task FaultsAsync(HttpContext context, LexPolicyEmulator emulator)
    {
        if (await ReadAsync(context, EmulatorAdminJson.Default.FaultsDocument).ConfigureAwait(false) is not { } faults)
        {
            return;
        }

        string? problem = faults switch
        {
            { ThrottleNext: < 0 } => "throttleNext must be 0 or more",
            { FailNext: { Count: null } } => "failNext.count is required",
            { FailNext.Count: < 0 } => "failNext.count must be 0 or more",
            { FailNext.Status: < 400 or > 599 } => "failNext.status must be 400 to 599",
            { FailNext.Code: { } code } when !ErrorCode().IsMatch(code) => "failNext.code must be 1 to 128 letters, digits and dots, starting with a letter",
            { LatencyMs: < 0 or > 600_000 } => "latencyMs must be 0 to 600000",
            { DropAfterCommitNext: < 0 } => "dropAfterCommitNext must be 0 or more",
            { ThrottleAbove: { } rate } when !(rate > 0) || double.IsInfinity(rate) => "throttleAbove must be a positive number of requests a second",
            _ => null,
        };
        if (problem is not null)
        {
            await MessageAsync(context, StatusCodes.Status400BadRequest, problem + ".").ConfigureAwait(false);
            return;
        }

        if (faults.ThrottleNext is { } throttle)
        {
            emulator.Faults.ThrottleNext(throttle);
        }

        if (faults.FailNext is { Count: { } count } fail)
        {
            emulator.Faults.FailNext(count, (HttpStatusCode)(fail.Status ?? 500), fail.Code);
        }

        if (faults.LatencyMs is { } latency)
        {
            emulator.Faults.Latency = TimeSpan.FromMilliseconds(latency);
        }

        if (faults.DropAfterCommitNext is { } drops)
        {
            emulator.Faults.DropNextResponsesAfterCommit(drops);
        }

        if (faults.ThrottleAbove is { } above)
        {
            emulator.Faults.ThrottleAbove(above);
        }

        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private static Task GetPolicyAsync(HttpContext context, LexPolicyEmulator emulator)
    {
        string arn = Arn(context);
        return emulator.GetPolicy(arn) is { } policy
            ? WriteAsync(context, StatusCodes.Status200OK, new AdminPolicyDocument(arn, policy.Policy, policy.RevisionId), EmulatorAdminJson.Default.AdminPolicyDocument)
            : MessageAsync(context, StatusCodes.Status404NotFound, $"There is no resource policy for {arn}.");
    }

    private static async Task PutPolicyAsync(HttpContext context, LexPolicyEmulator emulator)
    {
        string arn = Arn(context);
        if (await ReadAsync(context, EmulatorAdminJson.Default.PutPolicyDocument).ConfigureAwait(false) is not { } put)
        {
            return;
        }

        string? policy = put.Policy switch
        {
            { ValueKind: JsonValueKind.String } text => text.GetString(),
            { ValueKind: JsonValueKind.Object } document => document.GetRawText(),
            _ => null,
        };
        int revision = 1;
        string? problem = policy is null ? "policy is required: the policy document, as a JSON object or a string"
            : put.RevisionId is { } id && (!int.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out revision) || revision < 1)
                ? "revisionId must be a decimal number of 1 or more, as a string"
                : null;
        if (problem is null)
        {
            try
            {
                emulator.SeedPolicy(arn, policy!, revision);
            }
            catch (ArgumentException e)
            {
                problem = $"{e.ParamName}: {e.Message.Split(" (Parameter", 2)[0]}";
            }
        }

        if (problem is not null)
        {
            await MessageAsync(context, StatusCodes.Status400BadRequest, problem + (problem.EndsWith('.') ? string.Empty : ".")).ConfigureAwait(false);
            return;
        }

        await GetPolicyAsync(context, emulator).ConfigureAwait(false);
    }

    /// <summary>The ARN of a policies path, percent-decoded from the request target as received (so <c>%2F</c> is a slash).</summary>
    private static string Arn(HttpContext context)
    {
        string target = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
        int query = target.IndexOf('?', StringComparison.Ordinal);
        string path = query >= 0 ? target[..query] : target;
        return Uri.UnescapeDataString(path.StartsWith(PoliciesPrefix, StringComparison.Ordinal) ? path[PoliciesPrefix.Length..] : string.Empty);
    }

    /// <summary>A request-log entry as JSON; the signature and a session token are not repeated over HTTP.</summary>
    private static RecordedRequestDocument Describe(RecordedRequest r) => new(
        r.Operation, r.Method, r.PathAndQuery, r.ResourceArn, r.Body, r.BodyLength,
        r.Headers.ToDictionary(h => h.Key, h => h.Key switch
        {
            "authorization" => RedactAuthorization(h.Value),
            "x-amz-security-token" => "(redacted)",
            _ => h.Value,
        }, StringComparer.Ordinal),
        (int)r.Status, r.ErrorCode);

    private static async Task<T?> ReadAsync<T>(HttpContext context, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
        where T : class
    {
        try
        {
            if (await JsonSerializer.DeserializeAsync(context.Request.Body, type, context.RequestAborted).ConfigureAwait(false) is { } value)
            {
                return value;
            }

            await MessageAsync(context, StatusCodes.Status400BadRequest, "The body must be a JSON object.").ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            string where = e.Path is { Length: > 1 } path ? $" at {path}" : string.Empty;
            await MessageAsync(context, StatusCodes.Status400BadRequest, $"The body is not the JSON expected{where}: {e.Message.Split(" Path:", 2)[0]}").ConfigureAwait(false);
        }

        return null;
    }

    private static Task MessageAsync(HttpContext context, int status, string message) =>
        WriteAsync(context, status, new MessageDocument(message), EmulatorAdminJson.Default.MessageDocument);

    private static async Task WriteAsync<T>(HttpContext context, int status, T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        byte[] body = JsonSerializer.SerializeToUtf8Bytes(value, type);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9.]{0,127}$")]
    private static partial Regex ErrorCode();

    /// <summary>
    /// An <c>authorization</c> value with nothing of a credential in it: of SigV4 only the scheme, the credential scope and the
    /// signed header list are kept, every other part (the signature, whatever else is there) is redacted; another scheme's
    /// value (a bearer token, basic credentials) is redacted whole.
    /// </summary>
    private static string RedactAuthorization(string value)
    {
        const string Scheme = "AWS4-HMAC-SHA256 ";
        if (!value.StartsWith(Scheme, StringComparison.Ordinal))
        {
            return "(redacted)";
        }

        return Scheme + string.Join(", ", value[Scheme.Length..].Split(',').Select(part => part.Trim() switch
        {
            { } kept when kept.StartsWith("Credential=", StringComparison.OrdinalIgnoreCase) || kept.StartsWith("SignedHeaders=", StringComparison.OrdinalIgnoreCase) => kept,
            { } signature when signature.StartsWith("Signature=", StringComparison.OrdinalIgnoreCase) => "Signature=(redacted)",
            _ => "(redacted)",
        }));
    }
}

/// <summary><c>POST /__emulator/faults</c>: each member given sets that fault, as the in-process <see cref="EmulatorFaults"/> does.</summary>
internal sealed record FaultsDocument(int? ThrottleNext, FailNextDocument? FailNext, int? LatencyMs, int? DropAfterCommitNext, double? ThrottleAbove);

/// <summary>The <c>failNext</c> member: how many, with which status (default 500) and error code.</summary>
internal sealed record FailNextDocument(int? Count, int? Status, string? Code);

/// <summary>A policy as the admin API reads and writes it.</summary>
internal sealed record AdminPolicyDocument(string ResourceArn, string Policy, string RevisionId);

/// <summary><c>PUT /__emulator/policies/{arn}</c>: the policy (a JSON object, or a string of one) and optionally its revision.</summary>
internal sealed record PutPolicyDocument(JsonElement Policy, string? RevisionId);

/// <summary>An error, or any other message.</summary>
internal sealed record MessageDocument(string Message);

/// <summary>A request-log entry.</summary>
internal sealed record RecordedRequestDocument(
    string Operation, string Method, string PathAndQuery, string? ResourceArn, string Body, long BodyLength,
    Dictionary<string, string> Headers, int Status, string? ErrorCode);

/// <summary>The admin API's JSON: camelCase, unknown members refused.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(FaultsDocument))]
[JsonSerializable(typeof(AdminPolicyDocument))]
[JsonSerializable(typeof(PutPolicyDocument))]
[JsonSerializable(typeof(MessageDocument))]
[JsonSerializable(typeof(List<RecordedRequestDocument>))]
[JsonSerializable(typeof(string))]
internal sealed partial class EmulatorAdminJson : JsonSerializerContext;
