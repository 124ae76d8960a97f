/// <reference path="./.sst/platform/config.d.ts" />

// The reference app, example-shop, per stage: `sst deploy --stage dev|staging|production`.
// Build the workspace first (`pnpm build`): SST bundles the handlers from the packages' output.
export default $config({
  app(input) {
    const production = input?.stage === "production";
    return {
      name: "sluice-shop",
      home: "aws",
      // Production keeps its tables and buckets and refuses `sst remove`; other stages go away whole.
      removal: production ? "retain" : "remove",
      protect: production,
    };
  },
  async run() {
    const { ArchiveBucket, StreamPipeline, alarmTopic, stageSettings } = await import(
      "./infra/src"
    );
    const { eventBus, forwardToQueue, searchDomain, sourceTable, sstFunction } = await import(
      "./infra/sst"
    );
    const { shop } = await import("./packages/example-shop/src/pipeline");
    const stage = stageSettings($app.stage);

    const orders = sourceTable("Orders", shop.table, stage);
    // The keys @sluice/processors' aggregate writes (its aggregateTableInput).
    const dailySales = new sst.aws.Dynamo("DailySales", {
      fields: { pk: "string", sk: "string" },
      primaryIndex: { hashKey: "pk", rangeKey: "sk" },
      deletionProtection: stage.retain,
    });
    const archive = new ArchiveBucket("Archive", { stage });
    const search = searchDomain("Search", stage);
    const events = eventBus("Events");
    const shipping = forwardToQueue(events.bus, "OrderShipped", ["OrderShipped"]);
    const alarms = stage.alarmTopic ? alarmTopic("Alarms", {}) : undefined;

    const pipeline = new StreamPipeline("Shop", {
      definition: shop,
      stream: orders,
      stage,
      createFunction: sstFunction,
      resources: {
        archiveBucket: { arn: archive.arn, name: archive.name },
        searchDomain: search.resource,
        eventBus: events.resource,
        aggregatesTable: { arn: dailySales.arn, name: dailySales.name },
      },
      ...(alarms && { alarmTopicArn: alarms.arn }),
    });

    return {
      ordersTable: orders.name,
      deadLetterQueue: pipeline.deadLetterQueue?.url,
      archiveBucket: archive.name,
      searchUrl: search.search.url,
      shippingQueue: shipping.url,
      ...(alarms && { alarmTopic: alarms.arn }),
    };
  },
});
