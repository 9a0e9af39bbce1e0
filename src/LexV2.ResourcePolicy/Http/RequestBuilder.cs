namespace LexV2.ResourcePolicy.Http;

/// <summary>
/// Builds the one <see cref="HttpRequestMessage"/> for each operation: method, path (labels encoded as single segments),
/// query and JSON body, per the API model's HTTP bindings.
/// </summary>
internal sealed class RequestBuilder
{
    private readonly string _policyPrefix;

    /// <param name="endpoint">The service endpoint; any path it has is kept as a prefix.</param>
    public RequestBuilder(Uri endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        _policyPrefix = endpoint.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/policy/";
    }

    public LexRequestMessage CreateResourcePolicyStatement(CreateResourcePolicyStatementRequest r)
    {
        var body = new CreateStatementBody
        {
            Action = r.Action,
            Condition = r.Condition,
            Effect = r.Effect,
            Principal = r.Principal,
            StatementId = r.StatementId,
        };
        var msg = Create(HttpMethod.Post, LexOperation.CreateResourcePolicyStatement, r.ResourceArn, null, r.ExpectedRevisionId);
        msg.Content = Json(LexJson.Serialize(body, LexJsonContext.Default.CreateStatementBody));
        return msg;
    }

    public LexRequestMessage DeleteResourcePolicyStatement(DeleteResourcePolicyStatementRequest r) =>
        Create(HttpMethod.Delete, LexOperation.DeleteResourcePolicyStatement, r.ResourceArn, r.StatementId, r.ExpectedRevisionId);

    public LexRequestMessage CreateResourcePolicy(CreateResourcePolicyRequest r)
    {
        var msg = Create(HttpMethod.Post, LexOperation.CreateResourcePolicy, r.ResourceArn, null, null);
        msg.Content = Json(LexJson.Serialize(new PolicyBody { Policy = r.Policy }, LexJsonContext.Default.PolicyBody));
        return msg;
    }

    public LexRequestMessage DescribeResourcePolicy(DescribeResourcePolicyRequest r) =>
        Create(HttpMethod.Get, LexOperation.DescribeResourcePolicy, r.ResourceArn, null, null);

    public LexRequestMessage UpdateResourcePolicy(UpdateResourcePolicyRequest r)
    {
        var msg = Create(HttpMethod.Put, LexOperation.UpdateResourcePolicy, r.ResourceArn, null, r.ExpectedRevisionId);
        msg.Content = Json(LexJson.Serialize(new PolicyBody { Policy = r.Policy }, LexJsonContext.Default.PolicyBody));
        return msg;
    }

    public LexRequestMessage DeleteResourcePolicy(DeleteResourcePolicyRequest r) =>
        Create(HttpMethod.Delete, LexOperation.DeleteResourcePolicy, r.ResourceArn, null, r.ExpectedRevisionId);

    /// <summary>
    /// Percent-encodes a path label as ONE segment: everything but <c>A-Z a-z 0-9 - . _ ~</c> is encoded (UTF-8), so
    /// <c>:</c>, <c>/</c>, <c>?</c>, <c>#</c>, <c>%</c> and CR/LF can never change the request line.
    /// </summary>
    /// <remarks>
    /// A label of exactly <c>.</c> or <c>..</c> is sent as <c>%2E</c> / <c>%2E%2E</c>, and the URI is created without
    /// canonicalization, so no label can act as a dot segment and move the request to another path.
    /// </remarks>
    internal static string EncodeSegment(string value) => value switch
    {
        "." => "%2E",
        ".." => "%2E%2E",
        _ => Uri.EscapeDataString(value),
    };

    private static readonly UriCreationOptions RawPath = new() { DangerousDisablePathAndQueryCanonicalization = true };

    private LexRequestMessage Create(HttpMethod method, string operation, string resourceArn, string? statementId, string? expectedRevisionId)
    {
        bool statements = operation is LexOperation.CreateResourcePolicyStatement or LexOperation.DeleteResourcePolicyStatement;
        string url = string.Concat(
            _policyPrefix,
            EncodeSegment(resourceArn),
            statements ? (statementId is null ? "/statements/" : "/statements/" + EncodeSegment(statementId) + "/") : "/",
            expectedRevisionId is null ? string.Empty : "?expectedRevisionId=" + EncodeSegment(expectedRevisionId));
        return new LexRequestMessage(method, new Uri(url, RawPath), operation, resourceArn);
    }

    private static BufferedContent Json(byte[] bytes)
    {
        var content = new BufferedContent(bytes);
        // Raw, as it goes on the wire: a parsed MediaTypeHeaderValue would be validated here and formatted again for every attempt.
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        return content;
    }
}
