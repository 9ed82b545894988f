//! An event's flows across tables: scheduling it inside its season, moving
//! its status (publishing needs a ticket type), the public listing with the
//! seats left, and every change to its programme (partners, numbers,
//! performers, judges' marks), which first locks the event so the change
//! serializes with status changes and is refused once the event is done.

mod judging;
mod listing;
mod programme;
mod schedule;
mod status;

pub use judging::mark;
pub use listing::published_with_remaining;
pub use programme::{
    add_number, add_partner, delete_number, remove_partner, reorder_numbers, set_performers,
    update_number,
};
pub use schedule::{DAYS_AFTER_SEASON, create, update};
pub use status::set_status;
