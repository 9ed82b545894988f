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
