//! Reserving: seats of a published, future event held for buyers, one
//! buyer or a batch of them (the concurrent reservations of one event that a
//! gateway takes together, in one transaction).
//!
//! Never oversold: a seat is taken only by `soi_db::tickets::seats::take`,
//! a conditional UPDATE of the type's seat buckets, held until commit. Lock
//! order, as everywhere: the event (share-locked by the orders' insert),
//! then ticket types in id order and their buckets. When a wanted type has
//! lapsed holds, the event's lapsed holds of the wanted types are released
//! after the orders' insert and before the seats are taken, skipping holds
//! another transaction has locked.
//!
//! Never undersold, and first come, first served within a batch: the seats
//! left are read once, and each buyer in arrival order gets theirs if every
//! type they want still has enough after the buyers before them; a buyer
//! who does not is refused saying how many were left for them (`CONFLICT`),
//! and later, smaller wishes may still fit. When another transaction took
//! seats between that read and this one's buckets (the other gateway's
//! batch), the batch's writes are undone to a savepoint and it starts again
//! from a fresh read, with the buyers refused because of it; after
//! [`BATCH_ATTEMPTS`] such races each buyer left is served alone, whose
//! refusal then comes from the locked buckets. (That last resort nests a
//! savepoint per buyer; past 64 written ones PostgreSQL's snapshots of this
//! transaction get slower, which three lost races in a row make rare.)

use soi_core::states::EventStatus;
use soi_core::{EventId, InputError, OrderId, TicketTypeId};
use soi_db::events::events;
use soi_db::tickets::orders::{self, Buyer, NewOrder, Order};
use soi_db::tickets::ticket_types::{self, Seats};
use soi_db::tickets::{order_lines, seats, tickets};
use soi_db::{Error, Result, TenantTx};
use std::collections::HashMap;

/// Reads of the seats left a batch tries before its buyers go one by one.
const BATCH_ATTEMPTS: usize = 3;

/// The savepoint a batch's writes are undone to when it lost a race.
const SAVEPOINT: &str = "reservation";

/// One buyer's wish: who buys, and how many seats of each ticket type.
#[derive(Debug, Clone)]
pub struct Wish {
    pub buyer: Buyer,
    pub lines: Vec<(TicketTypeId, i32)>,
}

/// A new hold, with the access key the buyer fetches their tickets with.
/// Only its SHA-256 is stored: this is the one time it is known.
#[derive(Debug, Clone)]
pub struct Reserved {
    pub order: Order,
    /// The lines with their ticket types' names.
    pub lines: Vec<(order_lines::Line, String)>,
    pub access_key: String,
}

/// Holds seats of a published, future event for one buyer: a batch of one
/// (see the module doc). A refusal is the error; nothing is then written.
#[tracing::instrument(skip_all, fields(city = %tx.city(), request_id = tx.request_id()))]
pub async fn reserve(
    tx: &mut TenantTx,
    event: EventId,
    buyer: &Buyer,
    lines: &[(TicketTypeId, i32)],
) -> Result<Reserved> {
    let wish = Wish {
        buyer: buyer.clone(),
        lines: lines.to_vec(),
    };
    reserve_many(tx, event, std::slice::from_ref(&wish))
        .await?
        .pop()
        .unwrap_or(Err(Error::NotFound("reservation")))
}

/// Holds seats for each wish, in their order: one answer per wish, a new
/// hold or why it was refused (`BAD_USER_INPUT`, `NOT_FOUND`, `CONFLICT`).
/// The outer error is the transaction's: nothing of the batch then stands.
#[tracing::instrument(skip_all, fields(city = %tx.city(), request_id = tx.request_id(), wishes = wishes.len()))]
pub async fn reserve_many(
    tx: &mut TenantTx,
    event: EventId,
    wishes: &[Wish],
) -> Result<Vec<Result<Reserved>>> {
    let mut answers: Vec<Option<Result<Reserved>>> = wishes
        .iter()
        .map(|w| {
            orders::validate_lines(&w.lines)
                .err()
                .map(|e| Err(e.into()))
        })
        .collect();
    let mut open: Vec<usize> = (0..wishes.len())
        .filter(|&i| answers[i].is_none())
        .collect();
    // A batch of one needs no savepoint: its refusal is the transaction's.
    let undo = wishes.len() > 1;
    for _ in 0..BATCH_ATTEMPTS {
        if open.is_empty() {
            break;
        }
        open = attempt(tx, event, (wishes, &open), &mut answers, undo).await?;
    }
    // Still racing: each alone, refused by the locked buckets if it must be.
    for i in open {
        attempt(tx, event, (wishes, &[i]), &mut answers, undo).await?;
    }
    Ok(answers
        .into_iter()
        .map(|a| a.unwrap_or(Err(Error::NotFound("reservation"))))
        .collect())
}

/// Whether the event is on sale, read at most once per attempt and only
/// when a refusal must say why.
enum Sale {
    Unread,
    On,
    Missing,
    Off(&'static str),
}

impl Sale {
    /// Why the event's tickets cannot be reserved (missing, not published,
    /// begun); `None` when it is on sale.
    async fn refusal(&mut self, tx: &mut TenantTx, event: EventId) -> Result<Option<Error>> {
        if let Sale::Unread = self {
            *self = match events::get(tx, event).await {
                Ok(ev) if ev.status != EventStatus::Published => Sale::Off("event is not on sale"),
                Ok(ev) if ev.starts_at <= chrono::Utc::now() => {
                    Sale::Off("the event has already begun")
                }
                Ok(_) => Sale::On,
                Err(Error::NotFound(_)) => Sale::Missing,
                Err(e) => return Err(e),
            };
        }
        Ok(match self {
            Sale::Unread | Sale::On => None,
            Sale::Missing => Some(Error::NotFound("event")),
            Sale::Off(why) => Some(Error::Conflict((*why).into())),
        })
    }
}

/// A wish that fits the seats left: its types (in id order, with price and
/// name), total and the order to be.
struct Candidate {
    wish: usize,
    lines: Vec<(TicketTypeId, i32, i64, String)>,
    total: i64,
    id: OrderId,
    access_key: String,
}

/// One try of the wishes `open` from a fresh read of the seats left:
/// answers each one it settles and returns those it did not (the batch lost
/// a race for seats and was undone to the savepoint: its candidates, and
/// the wishes refused as short because of them, go again). Without `undo`
/// (a batch of one) there is no savepoint, and a race lost is the outer
/// `CONFLICT`, for the transaction to roll back.
async fn attempt(
    tx: &mut TenantTx,
    event: EventId,
    (wishes, open): (&[Wish], &[usize]),
    answers: &mut [Option<Result<Reserved>>],
    undo: bool,
) -> Result<Vec<usize>> {
    if undo {
        tx.savepoint(SAVEPOINT).await?;
    }
    let mut sale = Sale::Unread;
    let types = ticket_types::list_with_remaining(tx, event).await?;
    let mut left: HashMap<TicketTypeId, i64> = types
        .iter()
        .map(|t| (t.ticket_type.id, t.remaining))
        .collect();
    let mut candidates = Vec::with_capacity(open.len());
    // Refused for want of seats: final only once the candidates' seats are
    // taken (fewer seats for them might have left enough for these).
    let mut short = Vec::new();
    for &i in open {
        match fit(&wishes[i], &types, &mut left) {
            Fit::Yes(lines, total) => candidates.push(Candidate {
                wish: i,
                lines,
                total,
                id: OrderId::new(),
                access_key: tickets::random_code()?,
            }),
            Fit::UnknownType => {
                let e = sale.refusal(tx, event).await?;
                answers[i] = Some(Err(e.unwrap_or(Error::NotFound("ticket type"))));
            }
            Fit::Short(name, n) => {
                // An event off sale says so first.
                let e = sale.refusal(tx, event).await?;
                short.push((i, e.unwrap_or_else(|| seats::sold_out(&name, n))));
            }
            Fit::Invalid(e) => answers[i] = Some(Err(e.into())),
        }
    }
    if candidates.is_empty() {
        settle(answers, short);
        return Ok(Vec::new());
    }
    let mut wanted: Vec<&Seats> = types
        .iter()
        .filter(|t| {
            candidates
                .iter()
                .any(|c| c.lines.iter().any(|l| l.0 == t.ticket_type.id))
        })
        .collect();
    wanted.sort_by_key(|t| t.ticket_type.id);
    let new: Vec<NewOrder> = candidates
        .iter()
        .map(|c| NewOrder {
            id: c.id,
            buyer: &wishes[c.wish].buyer,
            total_tiyn: c.total,
            access_key: &c.access_key,
            lines: c.lines.iter().map(|(t, q, p, _)| (*t, *q, *p)).collect(),
        })
        .collect();
    let saved = orders::insert_if_on_sale(tx, event, &new).await?;
    if saved.is_empty() {
        // The event went off sale since the read: nothing was written.
        sale = Sale::Unread;
        for c in &candidates {
            let why = sale.refusal(tx, event).await?;
            let why = why.unwrap_or_else(|| Error::Conflict("event is not on sale".into()));
            answers[c.wish] = Some(Err(why));
        }
        settle(answers, short);
        return Ok(Vec::new());
    }
    // After the orders' insert, whose foreign key share-locks the event: the
    // event before seat buckets, as a quota change takes them (the event
    // locked to edit, then its buckets), so the two never wait in a circle.
    // Only when a wanted type has lapsed holds' seats (counted as free by
    // the read above, still taken in the buckets): in a rush nothing has
    // lapsed yet, and the lookup is a statement.
    if wanted
        .iter()
        .any(|t| t.remaining > i64::from(t.ticket_type.quota - t.ticket_type.taken))
    {
        let ids: Vec<TicketTypeId> = wanted.iter().map(|t| t.ticket_type.id).collect();
        seats::release_lapsed(tx, event, &ids).await?;
    }
    // Last, so the seat buckets stay locked for as short a time as can be:
    // each wanted type once, for the batch's seats of it.
    for t in &wanted {
        let id = t.ticket_type.id;
        let q: i32 = candidates
            .iter()
            .flat_map(|c| c.lines.iter().filter(|l| l.0 == id).map(|l| l.1))
            .sum();
        match seats::take(tx, (id, &t.ticket_type.name), q).await {
            Ok(()) => {}
            // Fewer seats than the read saw: another transaction took some
            // meanwhile. Undo the batch (orders, lines, seats, locks).
            Err(Error::Conflict(why)) => {
                if !undo {
                    return Err(Error::Conflict(why));
                }
                tx.rollback_to(SAVEPOINT).await?;
                if let ([c], []) = (candidates.as_slice(), short.as_slice()) {
                    answers[c.wish] = Some(Err(Error::Conflict(why)));
                    return Ok(Vec::new());
                }
                let mut again: Vec<usize> = candidates.iter().map(|c| c.wish).collect();
                again.extend(short.iter().map(|(i, _)| *i));
                again.sort_unstable();
                return Ok(again);
            }
            Err(e) => return Err(e),
        }
    }
    let mut saved: HashMap<OrderId, Order> = saved.into_iter().map(|o| (o.id, o)).collect();
    for c in candidates {
        let order = saved
            .remove(&c.id)
            .ok_or(Error::NotFound("reserved order"))?;
        let lines = c
            .lines
            .into_iter()
            .map(|(t, q, p, name)| {
                let line = order_lines::Line {
                    order_id: c.id,
                    ticket_type_id: t,
                    quantity: q,
                    unit_price_tiyn: p,
                };
                (line, name)
            })
            .collect();
        answers[c.wish] = Some(Ok(Reserved {
            order,
            lines,
            access_key: c.access_key,
        }));
    }
    settle(answers, short);
    Ok(Vec::new())
}

/// The refusals of wishes short of seats, once they are final.
fn settle(answers: &mut [Option<Result<Reserved>>], short: Vec<(usize, Error)>) {
    for (i, e) in short {
        answers[i] = Some(Err(e));
    }
}

/// Whether a wish fits the seats `left` (which it then takes from).
enum Fit {
    /// Its lines in type id order (type, quantity, price, name) and total.
    Yes(Vec<(TicketTypeId, i32, i64, String)>, i64),
    UnknownType,
    /// A type (its name) with fewer seats left than wanted (how many).
    Short(String, i64),
    Invalid(InputError),
}

/// Checks a wish against the types and the seats `left` after the wishes
/// before it; when it fits, its seats are taken from `left`.
fn fit(wish: &Wish, types: &[Seats], left: &mut HashMap<TicketTypeId, i64>) -> Fit {
    let mut lines = Vec::with_capacity(wish.lines.len());
    for (id, q) in &wish.lines {
        let Some(t) = types.iter().find(|t| t.ticket_type.id == *id) else {
            return Fit::UnknownType;
        };
        let n = left.get(id).copied().unwrap_or(0);
        if n < i64::from(*q) {
            return Fit::Short(t.ticket_type.name.clone(), n);
        }
        lines.push((
            *id,
            *q,
            t.ticket_type.price_tiyn,
            t.ticket_type.name.clone(),
        ));
    }
    lines.sort_by_key(|l| l.0);
    let Some(total) = lines.iter().try_fold(0i64, |sum, (_, q, p, _)| {
        p.checked_mul(i64::from(*q))
            .and_then(|v| sum.checked_add(v))
    }) else {
        return Fit::Invalid(InputError::new("items", "the total is too large"));
    };
    for (id, q, _, _) in &lines {
        if let Some(n) = left.get_mut(id) {
            *n -= i64::from(*q);
        }
    }
    Fit::Yes(lines, total)
}
