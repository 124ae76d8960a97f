import type { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { type PublishedEvent, publishEvents } from "@sluice/processors";
import type { ChangeEvent } from "@sluice/records";
import { PoisonRecordError } from "@sluice/runtime";
import { type Order, orderStatuses } from "../model.js";

export const orderEventSource = "shop.orders";

/** An order in a status consumers do not know: dead-lettered with its code, never published. */
export class UnknownOrderStatusError extends PoisonRecordError {
  readonly code = "UNKNOWN_ORDER_STATUS";
}

/**
 * OrderStatusChanged when an order's status changes, and OrderShipped when it becomes
 * "shipped". A status the shop does not know is dead-lettered rather than published, since
 * consumers act on the status.
 */
export function orderEvents(
  change: ChangeEvent<Order>,
  statuses: readonly string[] = orderStatuses,
): PublishedEvent[] | undefined {
  const { oldImage: before, newImage: after } = change;
  if (change.kind !== "modify" || !before || !after || before.status === after.status) {
    return undefined;
  }
  if (!statuses.includes(after.status)) {
    throw new UnknownOrderStatusError(
      `Order ${after.orderId} has an unknown status "${after.status}": add it to the statuses order-events publishes, then replay the dead letter`,
    );
  }
  const order = { orderId: after.orderId, customerId: after.customerId };
  const changed = {
    detailType: "OrderStatusChanged",
    detail: { ...order, from: before.status, to: after.status },
  };
  if (after.status !== "shipped") return [changed];
  const shipped = {
    detailType: "OrderShipped",
    detail: {
      ...order,
      total: after.total,
      currency: after.currency,
      items: after.items,
      shippingAddress: after.shippingAddress,
    },
  };
  return [changed, shipped];
}

export interface OrderEventsTarget {
  client: EventBridgeClient;
  eventBusName: string;
  /** The statuses consumers know. Default: the model's `orderStatuses`. */
  statuses?: readonly string[];
}

export const orderEventsProcessor = ({ statuses, ...target }: OrderEventsTarget) =>
  publishEvents<Order>({
    ...target,
    name: "order-events",
    source: orderEventSource,
    events: (change) => orderEvents(change, statuses),
  });
