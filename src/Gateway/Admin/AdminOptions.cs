using System.ComponentModel.DataAnnotations;

namespace Predictions.Gateway.Admin;

/// <summary><c>Admin</c>: the model admin API (<c>/admin/models</c>), off unless enabled, behind a key of its own.</summary>
public sealed class AdminOptions : IValidatableObject
{
    public const string Section = "Admin";

    public const int MinimumKeyLength = 32;

    public bool Enabled { get; set; }

    /// <summary>The key every admin call sends in <c>X-Admin-Key</c>; required when <see cref="Enabled"/>, never a client's API key.</summary>
    public string? Key { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Enabled && (Key is null || Key.Length < MinimumKeyLength || Key.Any(c => c is <= ' ' or > '~')))
        {
            yield return new ValidationResult(
                $"Admin:Key must be set, of at least {MinimumKeyLength} visible ASCII characters, when Admin:Enabled is true "
                + "(e.g. openssl rand -hex 32).",
                [nameof(Key)]);
        }
    }
}
