// The dashboard's GraphQL documents; graphql-codegen checks them against
// ../schema.graphql and types their results.
import { graphql } from './gql';

export const LoginDocument = graphql(`
  mutation SignIn($email: String!, $password: String!) {
    login(email: $email, password: $password) {
      accessToken
      expiresIn
      role
    }
  }
`);

// The national view's first screen in one request: this period by city, the
// previous period's totals, and this period by month.
export const NationalDashboardDocument = graphql(`
  query NationalDashboard($from: YearMonth!, $to: YearMonth!, $prevFrom: YearMonth!, $prevTo: YearMonth!) {
    current: nationalReport(from: $from, to: $to, groupBy: CITY) {
      totals {
        ...Figures
      }
      rows {
        city {
          slug
          nameKk
          nameRu
          nameEn
        }
        figures {
          ...Figures
        }
      }
    }
    previous: nationalReport(from: $prevFrom, to: $prevTo, groupBy: CITY) {
      totals {
        ...Figures
      }
      rows {
        figures {
          ...Figures
        }
      }
    }
    months: nationalReport(from: $from, to: $to, groupBy: MONTH) {
      rows {
        month
        figures {
          ...Figures
        }
      }
    }
    cities {
      slug
      latitude
      longitude
    }
  }

  fragment Figures on ReportFigures {
    applicants
    accepted
    waitlisted
    rejected
    active
    completed
    withdrawn
    retention
    sessionsHeld
    sessionsCancelled
    attendanceRate
    activeCoaches
    skillsPassed
    showsHeld
    ticketsSold
    ticketsCheckedIn
    ticketRevenue
    sponsorMoney
    expenses
    givenToCauses
    beneficiaries
    suppressed
  }
`);

// A city's drill-down for the national role: its months and its seasons
// (aggregates only, withheld as the cities' comparison withholds them).
export const CityDrillDocument = graphql(`
  query CityDrill($from: YearMonth!, $to: YearMonth!, $city: String!) {
    months: nationalReport(from: $from, to: $to, groupBy: MONTH, city: $city) {
      totals {
        ...Figures
      }
      rows {
        month
        figures {
          ...Figures
        }
      }
    }
    seasons: nationalReport(from: $from, to: $to, groupBy: SEASON, city: $city) {
      rows {
        season {
          id
          title
          startsOn
        }
        figures {
          ...Figures
        }
      }
    }
  }
`);

// Every city's totals for the period, pushed again whenever a figure changes.
export const NationalTotalsDocument = graphql(`
  subscription NationalTotals($from: YearMonth!, $to: YearMonth!) {
    nationalTotals(from: $from, to: $to) {
      ...Figures
    }
  }
`);

// The chapter view's first screen in one request: the city's report with
// the national median, what is coming up and what waits for the admin.
export const ChapterDashboardDocument = graphql(`
  query ChapterDashboard($from: YearMonth!, $to: YearMonth!) {
    report: cityReport(from: $from, to: $to, groupBy: MONTH) {
      city {
        slug
        nameKk
        nameRu
        nameEn
      }
      citiesCompared
      totals {
        ...Figures
      }
      nationalMedian {
        ...Figures
      }
      rows {
        month
        figures {
          ...Figures
        }
      }
    }
    upcomingSessions(first: 10) {
      id
      groupId
      rinkId
      startsAt
      endsAt
    }
    rinks {
      id
      name
    }
    certificatesExpiring(withinDays: 60) {
      id
      coachId
      title
      expiresOn
    }
    coaches(first: 100) {
      nodes {
        id
        firstName
        lastName
      }
    }
    seasons(first: 5) {
      nodes {
        id
        title
        phase
        applied: applications(status: APPLIED, first: 50) {
          nodes {
            ...Waiting
          }
        }
        waitlisted: applications(status: WAITLISTED, first: 50) {
          nodes {
            ...Waiting
          }
        }
      }
    }
    events {
      id
      title
      kind
      status
      startsAt
      seasonId
    }
  }

  fragment Waiting on Application {
    id
    status
    appliedAt
    participant {
      firstName
      lastName
    }
  }
`);

// The next show's sales and the names of the groups in the sessions list.
export const ChapterDetailsDocument = graphql(`
  query ChapterDetails($eventId: ID!, $withShow: Boolean!, $seasonId: ID!) {
    eventSales(eventId: $eventId) @include(if: $withShow) {
      quota
      sold
      held
      remaining
      checkedIn
      revenue
      ticketTypes {
        ticketTypeId
        name
        price
        quota
        sold
        remaining
      }
    }
    groups(seasonId: $seasonId) {
      id
      name
    }
  }
`);
