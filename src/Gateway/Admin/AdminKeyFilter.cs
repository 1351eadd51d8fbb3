using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Predictions.Gateway.Admin;

/// <summary>Lets an admin call in only with <c>Admin:Key</c> in <c>X-Admin-Key</c>, compared in constant time; else 401.</summary>
public sealed class AdminKeyFilter(IOptions<AdminOptions> options) : IEndpointFilter
{
    public const string Header = "X-Admin-Key";

    private readonly byte[] _key = Encoding.UTF8.GetBytes(options.Value.Key ?? string.Empty);

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var presented = Encoding.UTF8.GetBytes(context.HttpContext.Request.Headers[Header].FirstOrDefault() ?? string.Empty);
        if (_key.Length > 0 && CryptographicOperations.FixedTimeEquals(presented, _key))
        {
            return next(context);
        }

        context.HttpContext.Response.Headers.WWWAuthenticate = $"AdminKey header=\"{Header}\"";
        return ValueTask.FromResult<object?>(TypedResults.Problem(
            statusCode: StatusCodes.Status401Unauthorized,
            title: "The admin key is missing or wrong",
            detail: $"Send Admin:Key in the {Header} header."));
    }
}
