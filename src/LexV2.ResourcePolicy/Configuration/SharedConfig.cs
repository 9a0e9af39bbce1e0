using System.Globalization;

namespace LexV2.ResourcePolicy.Configuration;

/// <summary>
/// The settings a user configures for every AWS SDK and the AWS CLI at once: environment variables and one profile of the
/// shared config file (<c>AWS_CONFIG_FILE</c>, else <c>~/.aws/config</c>). Read once per client. Only the keys this client
/// uses are interpreted: <c>region</c>, <c>endpoint_url</c>, <c>services</c> (with the <c>lex_models_v2</c> sub-section of the
/// named <c>[services ...]</c> section), <c>ignore_configured_endpoint_urls</c>, <c>max_attempts</c> and <c>retry_mode</c>.
/// </summary>
internal sealed class SharedConfig
{
    /// <summary>The service id of Lex Models V2 in the AWS SDKs' configuration keys.</summary>
    public const string ServiceKey = "lex_models_v2";

    /// <summary>The environment variable of the service-specific endpoint.</summary>
    public const string ServiceEndpointVariable = "AWS_ENDPOINT_URL_LEX_MODELS_V2";

    private readonly Func<string, string?> _environment;

    private SharedConfig(string profileName, string? configPath, IReadOnlyDictionary<string, string> profile, IReadOnlyDictionary<string, string>? serviceSection, Func<string, string?> environment)
    {
        ProfileName = profileName;
        ConfigPath = configPath;
        Profile = profile;
        ServiceSection = serviceSection;
        _environment = environment;
    }

    /// <summary>The profile read: the client's <c>Profile</c> option, else <c>AWS_PROFILE</c>, else <c>default</c>.</summary>
    public string ProfileName { get; }

    /// <summary>The config file read, or <see langword="null"/> when there is none.</summary>
    public string? ConfigPath { get; }

    /// <summary>The profile's keys (lower-case).</summary>
    public IReadOnlyDictionary<string, string> Profile { get; }

    /// <summary>The <c>lex_models_v2</c> sub-settings of the profile's <c>services</c> section, if any.</summary>
    public IReadOnlyDictionary<string, string>? ServiceSection { get; }

    public string? Environment(string name) => _environment(name) is { Length: > 0 } v ? v.Trim() : null;

    /// <summary>Reads the environment and the profile's part of the shared config file.</summary>
    /// <param name="profile">An explicit profile name; <see langword="null"/> for <c>AWS_PROFILE</c> or <c>default</c>.</param>
    /// <param name="environment">Reads an environment variable (tests pass their own).</param>
    public static SharedConfig Load(string? profile = null, Func<string, string?>? environment = null)
    {
        environment ??= System.Environment.GetEnvironmentVariable;
        bool named = profile is { Length: > 0 };
        string name = named ? profile! : environment("AWS_PROFILE") is { Length: > 0 } e ? e.Trim() : "default";
        string? path = FilePath(environment, "AWS_CONFIG_FILE", "config");
        IniFile? ini = path is not null && File.Exists(path) ? Read(path) : null;

        // As in the SDKs: [profile default] wins over [default] when a file has both.
        var section = name == "default" ? ini?.Section("profile default") ?? ini?.Section("default") : ini?.Section("profile " + name);
        if (named && name != "default" && section is null && !InCredentialsFile(environment, name))
        {
            throw new InvalidOperationException(
                $"AWS profile '{name}' (LexPolicyClientOptions.Profile) is in neither the config file ({path ?? "none"}) nor the credentials file ({FilePath(environment, "AWS_SHARED_CREDENTIALS_FILE", "credentials") ?? "none"}).");
        }

        var values = section?.Values ?? new Dictionary<string, string>();
        IReadOnlyDictionary<string, string>? service = null;
        if (values.TryGetValue("services", out string? servicesName) && ini?.Section("services " + servicesName) is { } services &&
            services.Nested.TryGetValue(ServiceKey, out var nested))
        {
            service = nested;
        }

        return new SharedConfig(name, ini is null ? null : path, values, service, environment);
    }

    private static IniFile Read(string path)
    {
        try
        {
            return IniFile.Parse(File.ReadAllText(path));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"The AWS config file '{path}' cannot be read: {ex.Message}", ex);
        }
    }

    private static bool InCredentialsFile(Func<string, string?> environment, string name) =>
        FilePath(environment, "AWS_SHARED_CREDENTIALS_FILE", "credentials") is { } path && File.Exists(path) && Read(path).Section(name) is not null;

    /// <summary>
    /// A shared file's path: the variable's value, else <c>~/.aws/{file}</c>; a leading <c>~</c> is the home directory
    /// (<c>HOME</c>, else <c>USERPROFILE</c>), as the SDKs resolve it.
    /// </summary>
    private static string? FilePath(Func<string, string?> environment, string variable, string file)
    {
        string? home = environment("HOME") is { Length: > 0 } h ? h
            : environment("USERPROFILE") is { Length: > 0 } u ? u
            : System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile, System.Environment.SpecialFolderOption.DoNotVerify) is { Length: > 0 } p ? p : null;
        if (environment(variable) is { Length: > 0 } configured)
        {
            return configured == "~" || configured.StartsWith("~/", StringComparison.Ordinal) || configured.StartsWith("~\\", StringComparison.Ordinal)
                ? home is null ? configured : Path.Combine(home, configured.Length > 2 ? configured[2..] : string.Empty)
                : configured;
        }

        return home is null ? null : Path.Combine(home, ".aws", file);
    }

    /// <summary>Reads a boolean from the environment or the profile; a malformed value names its source.</summary>
    public bool? Bool(string environmentVariable, string profileKey)
    {
        if (Environment(environmentVariable) is { } env)
        {
            return ParseBool(env, environmentVariable);
        }

        return Profile.TryGetValue(profileKey, out string? value) ? ParseBool(value, $"{profileKey} in profile '{ProfileName}' of {ConfigPath}") : null;
    }

    private static bool ParseBool(string value, string source) => value.Trim().ToUpperInvariant() switch
    {
        "TRUE" => true,
        "FALSE" => false,
        _ => throw new InvalidOperationException($"{source} is '{value}': expected true or false."),
    };

    /// <summary>An INI file as the AWS config file writes it: sections, <c>key = value</c>, and indented sub-settings under a <c>key =</c> line.</summary>
    internal sealed class IniFile
    {
        private readonly Dictionary<string, IniSection> _sections = new(StringComparer.Ordinal);

        public IniSection? Section(string name) => _sections.TryGetValue(name, out var s) ? s : null;

        public static IniFile Parse(string text)
        {
            var file = new IniFile();
            IniSection? section = null;
            Dictionary<string, string>? nested = null;
            foreach (string rawLine in text.Split('\n'))
            {
                string line = StripComment(rawLine.TrimEnd('\r'));
                if (line.Trim().Length == 0)
                {
                    continue;
                }

                bool indented = char.IsWhiteSpace(line[0]);
                string trimmed = line.Trim();
                if (!indented && trimmed.StartsWith('[') && trimmed.EndsWith(']'))
                {
                    string name = string.Join(' ', trimmed[1..^1].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
                    section = file._sections.TryGetValue(name, out var existing) ? existing : file._sections[name] = new IniSection();
                    nested = null;
                    continue;
                }

                int eq = trimmed.IndexOf('=', StringComparison.Ordinal);
                if (section is null || eq <= 0)
                {
                    continue; // outside any section, or not a key: ignored, as the AWS CLI does
                }

                string key = trimmed[..eq].Trim().ToLowerInvariant();
                string value = trimmed[(eq + 1)..].Trim();
                if (indented && nested is not null)
                {
                    nested[key] = value;
                }
                else if (value.Length == 0)
                {
                    nested = section.Nested[key] = new Dictionary<string, string>(StringComparer.Ordinal);
                }
                else
                {
                    section.Values[key] = value;
                    nested = null;
                }
            }

            return file;
        }

        private static string StripComment(string line)
        {
            string t = line.TrimStart();
            if (t.StartsWith('#') || t.StartsWith(';'))
            {
                return string.Empty;
            }

            // An inline comment needs whitespace before its '#' or ';' (a value such as a URL may contain either).
            for (int i = 1; i < line.Length; i++)
            {
                if ((line[i] == '#' || line[i] == ';') && char.IsWhiteSpace(line[i - 1]))
                {
                    return line[..i];
                }
            }

            return line;
        }
    }

    internal sealed class IniSection
    {
        public Dictionary<string, string> Values { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, Dictionary<string, string>> Nested { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>Parses a whole number, naming the source when it is not one.</summary>
    internal static int ParseInt(string value, string source) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) ? n : throw new InvalidOperationException($"{source} is '{value}': expected a whole number.");
}
