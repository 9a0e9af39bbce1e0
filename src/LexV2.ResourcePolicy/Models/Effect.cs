namespace LexV2.ResourcePolicy;

/// <summary>Whether a resource policy statement allows or denies access (the API's <c>Effect</c> enum).</summary>
public enum Effect
{
    /// <summary>The statement allows the listed actions.</summary>
    Allow = 0,

    /// <summary>The statement denies the listed actions.</summary>
    Deny = 1,
}
