using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Predictions.Gateway.Auth;

/// <summary>
/// The configured API keys, each kept as a SHA-256 hash. A presented key is hashed and compared with every
/// one of them in constant time, so neither the comparison nor the key's length leaks through timing.
/// </summary>
public sealed class ApiKeyRing
{
    private readonly (string Name, byte[] Hash)[] _keys;

    public ApiKeyRing(IOptions<AuthOptions> options)
    {
        _keys = [.. options.Value.ApiKeys.Select(k => (k.Name!, Hash(k.Key!)))];
    }

    /// <summary>False when no keys are configured: the API is open.</summary>
    public bool Enabled => _keys.Length > 0;

    /// <summary>The name of the client that owns <paramref name="presented"/>, or null.</summary>
    public string? FindName(string presented)
    {
        var hash = Hash(presented);
        string? found = null;
        foreach (var (name, key) in _keys)
        {
            // No early exit: the time taken does not depend on which key, if any, matched.
            if (CryptographicOperations.FixedTimeEquals(hash, key))
            {
                found = name;
            }
        }

        return found;
    }

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
