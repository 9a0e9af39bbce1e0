namespace LexV2.ResourcePolicy;

/// <summary>
/// The one rule for wildcard principals in what the library writes, shared by the request validator (statements and whole
/// documents), the <see cref="PolicyLinter"/> and the desired-state reader: a wildcard principal (<c>"Principal": "*"</c>, or
/// <c>"*"</c> among the values of a principal type such as <c>{"AWS": "*"}</c>) is refused, with or without conditions and in
/// Allow and Deny statements alike. A Lex V2 resource policy names who each statement is for: an AWS service (with
/// <c>aws:SourceAccount</c> and <c>aws:SourceArn</c>) or an IAM role, user or account root of the resource's own account, since
/// a resource policy cannot grant cross-account access. The statement API cannot express a wildcard at all (its
/// <c>Principal.Arn</c> is a 30–1,024-character IAM ARN), so whole-document writes keep to the same principals, and a
/// document written through the reconciler stays writable through the statement API. A scoping condition does not make a
/// wildcard acceptable: <c>aws:PrincipalAccount</c> equal to the resource's account is the account-root principal, which can be
/// named directly; <c>aws:PrincipalOrgID</c> or another account reaches across accounts. Reading is not writing:
/// <see cref="PolicyDocument.Parse"/> reads wildcard principals in live policies.
/// </summary>
internal static class WildcardPrincipalRule
{
    /// <summary>The rule in words, for every message that applies it.</summary>
    public const string Rule =
        "a wildcard principal (\"*\", {\"AWS\": \"*\"}) is refused in every policy write, with or without conditions: a Lex resource policy names the " +
        "AWS service or the IAM role, user or account root of the resource's own account each statement is for (anyone, or another account, cannot be " +
        "granted access); name the principal, e.g. arn:aws:iam::ACCOUNT:root for the whole account";

    /// <summary>The message for a <c>"*"</c> in the statement API's <c>Principal.Arn</c> or <c>Principal.Service</c>.</summary>
    public const string StatementApiMessage =
        "is \"*\": the statement API cannot express a wildcard principal (Principal.Arn is an IAM role, user or account-root ARN of 30 to 1,024 characters, " +
        "Principal.Service a service name of 15 to 1,024), and " + Rule;

    /// <summary>Whether a principal value is the wildcard.</summary>
    /// <param name="value">One principal value (an ARN, a service name, an account id, or <c>*</c>).</param>
    /// <returns>Whether it is <c>*</c>.</returns>
    public static bool IsWildcard(string? value) => value is "*";

    /// <summary>Whether a document principal is, or contains, the wildcard.</summary>
    /// <param name="principal">The <c>Principal</c> element.</param>
    /// <returns>Whether it names anyone.</returns>
    public static bool IsWildcard(PolicyPrincipal? principal) =>
        principal is not null && (principal.IsAnyone || Any(principal.Aws) || Any(principal.Service) || Any(principal.Federated) || Any(principal.CanonicalUser));

    private static bool Any(PolicyValues? values) => values is not null && values.Any(IsWildcard);
}
