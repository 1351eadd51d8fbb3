using Microsoft.Extensions.Options;

namespace Predictions.Gateway.Auth;

/// <summary>
/// Who may call the prediction endpoints (section <c>Auth</c>). No keys (the default): everyone, as one
/// anonymous client. Keys are secrets: give them through the environment, e.g. <c>Auth__ApiKeys__0__Key</c>.
/// </summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>Shortest key accepted: 16 characters of, say, hex already make guessing hopeless.</summary>
    public const int MinimumKeyLength = 16;

    public List<ApiKey> ApiKeys { get; set; } = [];

    public bool Enabled => ApiKeys.Count > 0;

    /// <summary>One client: its <see cref="Name"/> owns its predictions and names it in logs and metrics.</summary>
    public sealed class ApiKey
    {
        public string? Name { get; set; }

        public string? Key { get; set; }
    }

    public sealed class Validator : IValidateOptions<AuthOptions>
    {
        public ValidateOptionsResult Validate(string? name, AuthOptions options)
        {
            var failures = new List<string>();
            var names = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            var keys = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < options.ApiKeys.Count; i++)
            {
                var (clientName, key) = (options.ApiKeys[i].Name, options.ApiKeys[i].Key);
                var setting = $"{Section}:ApiKeys:{i}";
                if (clientName is null || clientName.Length is 0 or > 64 || !IsVisibleAscii(clientName))
                {
                    failures.Add($"{setting}:Name is required: 1 to 64 visible ASCII characters naming the client, e.g. 'billing'.");
                }
                else if (!names.TryAdd(clientName, i))
                {
                    failures.Add($"{setting}:Name '{clientName}' is already the name of {Section}:ApiKeys:{names[clientName]}: "
                        + "names must be unique (they own predictions).");
                }

                // Never echo a key: the message goes to the log.
                if (key is null || key.Length < MinimumKeyLength || !IsVisibleAscii(key))
                {
                    failures.Add($"{setting}:Key is required: at least {MinimumKeyLength} visible ASCII characters, "
                        + $"e.g. from 'openssl rand -hex 32', given through the environment ({Section}__ApiKeys__{i}__Key).");
                }
                else if (!keys.TryAdd(key, i))
                {
                    failures.Add($"{setting}:Key is the same as {Section}:ApiKeys:{keys[key]}:Key: every client needs a key of its own.");
                }
            }

            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }

        // What an HTTP header carries unchanged.
        private static bool IsVisibleAscii(string value) => value.All(c => c is > ' ' and <= '~');
    }
}
