namespace LexV2.ResourcePolicy;

/// <summary>
/// The one rule for wildcard principals in what the library writes, shared by the request validator (statements and whole
/// documents), the <see cref="PolicyLinter"/> and the desired-state reader:
/// <list type="bullet">
/// <item><b>An Allow for everyone is refused</b> in every write, with or without conditions: a wildcard principal
/// (<c>"Principal": "*"</c>, or <c>"*"</c> among the values of a principal type such as <c>{"AWS": "*"}</c>), and
/// <c>NotPrincipal</c>, which allows everyone but the principals it lists. A Lex V2 resource policy grants access to the AWS
/// service (with <c>aws:SourceAccount</c> and <c>aws:SourceArn</c>) or the IAM role, user or account root of the resource's own
/// account that a statement names, since it cannot grant cross-account access. A scoping condition does not make a wildcard
/// acceptable: <c>aws:PrincipalAccount</c> equal to the resource's account is the account-root principal, which can be named
/// directly; <c>aws:PrincipalOrgID</c> or another account reaches across accounts.</item>
/// <item><b>A Deny for everyone is accepted in whole documents</b> (<c>CreateResourcePolicy</c>/<c>UpdateResourcePolicy</c>,
/// hence the reconciler and <see cref="LexPolicyClientExtensions.EnsureStatementAsync"/> when it replaces a statement): it
/// narrows access and grants nothing, and it is a common guard (deny everyone unless <c>aws:SecureTransport</c>; deny everyone
/// but an admin role the policy actions). Refusing it would make a live policy that has one impossible to edit, because those
/// writes carry the statements they do not touch back unchanged.</item>
/// <item><b>The statement API cannot express a wildcard</b> in either effect (its <c>Principal.Arn</c> is a 30–1,024-character
/// IAM ARN, <c>Principal.Service</c> a service name), nor can the desired-state file, whose statements have its form.</item>
/// </list>
/// Reading is not writing: <see cref="PolicyDocument.Parse"/> reads every principal of a live policy.
/// </summary>
internal static class WildcardPrincipalRule
{
    /// <summary>The rule in words, for every message that applies it.</summary>
    public const string Rule =
        "an Allow for a wildcard principal (\"*\", {\"AWS\": \"*\"}) or with NotPrincipal (everyone but the principals listed) is refused in every policy write, " +
        "with or without conditions: a Lex resource policy grants access only to the AWS service or the IAM role, user or account root of the resource's own " +
        "account a statement names (anyone, or another account, cannot be granted access); name the principal, e.g. arn:aws:iam::ACCOUNT:root for the whole " +
        "account. A Deny for everyone (\"*\" or NotPrincipal) narrows access and is accepted in whole policy documents";

    /// <summary>Why a statement in the statement API's form (a request, or the desired-state file's) cannot have a <c>"*"</c> principal.</summary>
    public const string CannotExpress =
        "the statement API cannot express a wildcard principal, in an Allow or a Deny (Principal.Arn is an IAM role, user or account-root ARN of 30 to " +
        "1,024 characters, Principal.Service a service name of 15 to 1,024), and " + Rule + " (CreateResourcePolicy/UpdateResourcePolicy)";

    /// <summary>The message for a <c>"*"</c> in the statement API's <c>Principal.Arn</c> or <c>Principal.Service</c>.</summary>
    public const string StatementApiMessage = "is \"*\": " + CannotExpress;

    /// <summary>Whether a principal value is the wildcard.</summary>
    /// <param name="value">One principal value (an ARN, a service name, an account id, or <c>*</c>).</param>
    /// <returns>Whether it is <c>*</c>.</returns>
    public static bool IsWildcard(string? value) => value is "*";

    /// <summary>Whether a document principal is, or contains, the wildcard.</summary>
    /// <param name="principal">The <c>Principal</c> element.</param>
    /// <returns>Whether it names anyone.</returns>
    public static bool IsWildcard(PolicyPrincipal? principal) =>
        principal is not null && (principal.IsAnyone || Any(principal.Aws) || Any(principal.Service) || Any(principal.Federated) || Any(principal.CanonicalUser));

    /// <summary>
    /// The element of a document statement the rule refuses: <c>Principal</c> for an Allow with a wildcard principal,
    /// <c>NotPrincipal</c> for an Allow with one; <see langword="null"/> when the statement keeps to the rule (a Deny always does).
    /// </summary>
    /// <param name="statement">The statement.</param>
    /// <returns>The element's name, or <see langword="null"/>.</returns>
    public static string? RefusedElement(PolicyStatement statement)
    {
        ArgumentNullException.ThrowIfNull(statement);
        return statement.Effect != Effect.Allow ? null
            : statement.NotPrincipal is not null ? "NotPrincipal"
            : IsWildcard(statement.Principal) ? "Principal"
            : null;
    }

    private static bool Any(PolicyValues? values) => values is not null && values.Any(IsWildcard);
}
