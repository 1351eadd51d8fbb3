using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Predictions.Worker.Probes;

public static class ProbeExtensions
{
    /// <summary>Where the worker serves its probes and metrics (<c>Probes:Url</c>).</summary>
    public static IHostApplicationBuilder AddProbes(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ProbeOptions>()
            .BindConfiguration(ProbeOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        return builder;
    }

    /// <summary>
    /// Makes Kestrel listen at <c>Probes:Url</c> and nowhere else: an address given here takes the place of
    /// <c>ASPNETCORE_URLS</c>, <c>ASPNETCORE_HTTP_PORTS</c> (set by the ASP.NET Core container images), the
    /// <c>Kestrel</c> configuration section and the default <c>http://localhost:5000</c>.
    /// </summary>
    public static WebApplication ListenAtProbesUrl(this WebApplication app)
    {
        // Read through IOptions so that a bad Probes:Url stops the worker with the validation message.
        var url = app.Services.GetRequiredService<IOptions<ProbeOptions>>().Value.Url;
        var server = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>();
        server.Addresses.Clear();
        server.Addresses.Add(url);
        server.PreferHostingUrls = true;
        return app;
    }
}
