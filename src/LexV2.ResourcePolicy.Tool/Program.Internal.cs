/// <summary>
/// The top-level program stays internal: serve's Kestrel host brings ASP.NET Core's source generator that would otherwise make
/// <c>Program</c> public (for WebApplicationFactory), adding it to the tool's public API.
/// </summary>
internal static partial class Program;
