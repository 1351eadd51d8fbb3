using System.Reflection;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Predictions.ServiceDefaults.Messaging;

public static class MessagingExtensions
{
    /// <summary>
    /// Connects the host to RabbitMQ with the shared topology and registers every consumer (and its
    /// definition) found in <paramref name="consumers"/>.
    /// </summary>
    public static IHostApplicationBuilder AddMessaging(this IHostApplicationBuilder builder, Assembly consumers)
    {
        builder.Services.AddSingleton<IValidateOptions<BrokerOptions>, BrokerOptions.Validator>();
        builder.Services.AddOptions<BrokerOptions>()
            .Configure<IConfiguration>((options, configuration) => options.ConnectionString = configuration.GetConnectionString("RabbitMq"))
            .ValidateOnStart();
        builder.Services.AddOptions<WorkQueueOptions>()
            .BindConfiguration(WorkQueueOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        // MassTransit waits without limit for an endpoint's consumers to return before that endpoint stops, and
        // an endpoint whose channel closed consumes again only once it has stopped: bounded here, a consumer that
        // does not return can hold neither a shutdown nor the endpoint's recovery after a broker outage.
        builder.Services.AddOptions<MassTransitHostOptions>()
            .Configure(options =>
            {
                options.ConsumerStopTimeout = TimeSpan.FromSeconds(10);
                options.StopTimeout = TimeSpan.FromSeconds(15);
            })
            .BindConfiguration("MassTransit")
            .Validate(
                options => options.ConsumerStopTimeout > TimeSpan.Zero && options.StopTimeout >= options.ConsumerStopTimeout,
                "MassTransit:ConsumerStopTimeout must be positive and MassTransit:StopTimeout at least as long.")
            .ValidateOnStart();

        builder.Services.AddMassTransit(bus =>
        {
            bus.AddConsumers(consumers);

            // A failed message goes to its endpoint's _error queue with the reason in its headers; nobody
            // subscribes to MassTransit's Fault<T> events, so they would only add exchanges to the UI.
            bus.AddConfigureEndpointsCallback((_, _, endpoint) => endpoint.PublishFaults = false);
            bus.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(context.GetRequiredService<IOptions<BrokerOptions>>().Value.Uri);

                // MassTransit indents its JSON by default: a third of every message would be whitespace.
                cfg.ConfigureJsonSerializerOptions(json =>
                {
                    json.WriteIndented = false;
                    return json;
                });
                cfg.UsePredictionTopology(context.GetRequiredService<IOptions<WorkQueueOptions>>().Value);
                cfg.ConfigureEndpoints(context);
            });
        });

        return builder;
    }
}
