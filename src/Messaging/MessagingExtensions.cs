using System.Reflection;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Predictions.Messaging.Broker;
using Predictions.Messaging.Health;
using Predictions.Messaging.Outages;
using Predictions.Messaging.Tracing;
using Predictions.ServiceDefaults.Resilience;
using Predictions.ServiceDefaults.Telemetry;

namespace Predictions.Messaging;

public static class MessagingExtensions
{
    /// <summary>MassTransit's usage telemetry: off unless <c>Enabled</c> is true here.</summary>
    public const string UsageTelemetrySection = "MassTransit:UsageTelemetry";

    /// <summary>
    /// Connects the host to RabbitMQ with the shared topology and registers every consumer (and its
    /// definition) found in <paramref name="consumers"/>; <paramref name="endpoints"/> adds receive endpoints of the
    /// host's own, for consumers left out of MassTransit's endpoint configuration.
    /// </summary>
    public static IHostApplicationBuilder AddMessaging(
        this IHostApplicationBuilder builder,
        Assembly consumers,
        Action<IBusRegistrationContext, IRabbitMqBusFactoryConfigurator>? endpoints = null)
    {
        builder.Services.AddSingleton<IValidateOptions<BrokerOptions>, BrokerOptions.Validator>();
        builder.Services.AddOptions<BrokerOptions>()
            .Configure<IConfiguration>((options, configuration) =>
            {
                options.ConnectionString = configuration.GetConnectionString("RabbitMq");
                options.CertificateAuthority = configuration[BrokerOptions.CertificateAuthoritySetting];
            })
            .ValidateOnStart();
        builder.Services.AddHostedService<BrokerConnectionCheck>();
        builder.AddReceiveEndpointHealth();
        builder.Services.AddOptions<WorkQueueOptions>()
            .BindConfiguration(WorkQueueOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddOptions<OutageOptions>()
            .BindConfiguration(OutageOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<OutageWait>();

        // A pause longer than what is left of Outages:MaxWait is cut to it, so the two need not agree.
        builder.Services.AddRetryPolicy(RetryPolicies.OutageWaits);

        // Both hosts' store consumers (status, audit) retry what is not an outage by the same policy.
        builder.Services.AddRetryPolicy(RetryPolicies.StoreWrites);

        // Both hosts declare the work queue: before the bus starts, a queue made with other settings stops the start.
        builder.Services.AddPlainBrokerConnection();
        builder.Services.AddHostedService<WorkQueueDeclarationCheck>();

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

        // MassTransit reports how the bus, its endpoints and the host are used to its vendor over HTTPS unless told
        // not to. Nothing here calls an outside service unless a setting asks: MassTransit:UsageTelemetry:Enabled.
        builder.Services.AddOptions<UsageTelemetryOptions>()
            .Configure(options => options.Enabled = false)
            .BindConfiguration(UsageTelemetrySection);

        builder.Services.AddMassTransit(bus =>
        {
            bus.AddConsumers(consumers);

            // A failed message goes to its endpoint's _error queue with the reason in its headers; nobody
            // subscribes to MassTransit's Fault<T> events, so they would only add exchanges to the UI.
            bus.AddConfigureEndpointsCallback((context, name, endpoint) =>
            {
                endpoint.PublishFaults = false;
                endpoint.UseConsumeFilter(typeof(PredictionConsumeFilter<>), context);
                endpoint.ConfigureReceive(receive => receive.UseFilter(new MessageTraceFilter()));
                ReplicateQueue(endpoint, name, context.GetRequiredService<IOptions<WorkQueueOptions>>().Value);
            });
            bus.UsingRabbitMq((context, cfg) =>
            {
                var broker = context.GetRequiredService<IOptions<BrokerOptions>>().Value;
                cfg.Host(broker.Address.FirstHostUri, host => host.UseBrokerAddress(broker));

                // MassTransit indents its JSON by default: a third of every message would be whitespace.
                cfg.ConfigureJsonSerializerOptions(json =>
                {
                    json.WriteIndented = false;
                    return json;
                });
                cfg.UsePredictionTopology(context.GetRequiredService<IOptions<WorkQueueOptions>>().Value);
                if (context.GetService<TraceExport>() is { IsOn: true })
                {
                    cfg.UseSendFilter(typeof(UnsampledTraceFilter<>), context);
                    cfg.UsePublishFilter(typeof(UnsampledTraceFilter<>), context);
                }

                endpoints?.Invoke(context, cfg);
                cfg.ConfigureEndpoints(context);
            });
        });

        return builder;
    }

    /// <summary>
    /// The nodes to connect to, in order: MassTransit's cluster resolver tries only the listed nodes, so with
    /// several hosts the first is listed too. Over amqps, the broker's certificate is checked (<see cref="BrokerCertificates"/>).
    /// </summary>
    private static void UseBrokerAddress(this IRabbitMqHostConfigurator host, BrokerOptions broker)
    {
        var address = broker.Address;
        if (address.Hosts.Count > 1)
        {
            host.UseCluster(cluster =>
            {
                foreach (var node in address.Hosts)
                {
                    cluster.Node(node.ToString());
                }
            });
        }

        if (address.Tls)
        {
            host.UseBrokerTls(address, new BrokerCertificates(address, broker.CertificateAuthority));
        }
    }

    // On a cluster every durable queue of the service is a quorum queue, so losing a node loses none of its messages.
    private static void ReplicateQueue(IReceiveEndpointConfigurator endpoint, string name, WorkQueueOptions workQueue)
    {
        if (endpoint is not IRabbitMqReceiveEndpointConfigurator rabbit || Topology.IsHostQueue(name))
        {
            return;
        }

        if (Topology.OutcomeQueues.Contains(name))
        {
            Topology.ConfigureOutcomeQueue(rabbit, name, workQueue);
        }
        else if (workQueue.QuorumInitialGroupSize is { } members)
        {
            rabbit.SetQuorumQueue(members);
        }
    }
}
