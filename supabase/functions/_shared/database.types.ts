export type Json = string | number | boolean | null | { [key: string]: Json | undefined } | Json[];

export type Database = {
  "public": {
    Tables: {
      "generation_jobs": {
        Row: {
          "completed_at": string | null;
          "created_at": string;
          "current_step": string;
          "error": string | null;
          "id": string;
          "kind": Database["public"]["Enums"]["job_kind"];
          "pages_completed": number;
          "retries": number;
          "started_at": string | null;
          "status": Database["public"]["Enums"]["job_status"];
          "story_id": string;
          "total_pages": number;
          "updated_at": string;
        };
        ComputedFields: never;
        Insert: {
          "completed_at"?: string | null;
          "created_at"?: string;
          "current_step"?: string;
          "error"?: string | null;
          "id"?: string;
          "kind": Database["public"]["Enums"]["job_kind"];
          "pages_completed"?: number;
          "retries"?: number;
          "started_at"?: string | null;
          "status"?: Database["public"]["Enums"]["job_status"];
          "story_id": string;
          "total_pages": number;
          "updated_at"?: string;
        };
        Update: {
          "completed_at"?: string | null;
          "created_at"?: string;
          "current_step"?: string;
          "error"?: string | null;
          "id"?: string;
          "kind"?: Database["public"]["Enums"]["job_kind"];
          "pages_completed"?: number;
          "retries"?: number;
          "started_at"?: string | null;
          "status"?: Database["public"]["Enums"]["job_status"];
          "story_id"?: string;
          "total_pages"?: number;
          "updated_at"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "generation_jobs_story_id_fkey";
            columns: ["story_id"];
            isOneToOne: false;
            referencedRelation: "stories";
            referencedColumns: ["id"];
          },
        ];
      };
      "orders": {
        Row: {
          "book_bytes": number | null;
          "book_error": string | null;
          "book_pages": number | null;
          "book_path": string | null;
          "book_ready_at": string | null;
          "cancel_reason": string | null;
          "cancelled_at": string | null;
          "created_at": string;
          "customer_email": string | null;
          "delivered_at": string | null;
          "download_expires_at": string | null;
          "id": string;
          "is_test": boolean;
          "order_name": string | null;
          "paid_at": string | null;
          "shop_domain": string;
          "shopify_customer_id": string | null;
          "shopify_order_gid": string;
          "shopify_order_id": string;
          "status": Database["public"]["Enums"]["order_status"];
          "story_id": string | null;
          "updated_at": string;
          "user_id": string | null;
        };
        ComputedFields: never;
        Insert: {
          "book_bytes"?: number | null;
          "book_error"?: string | null;
          "book_pages"?: number | null;
          "book_path"?: string | null;
          "book_ready_at"?: string | null;
          "cancel_reason"?: string | null;
          "cancelled_at"?: string | null;
          "created_at"?: string;
          "customer_email"?: string | null;
          "delivered_at"?: string | null;
          "download_expires_at"?: string | null;
          "id"?: string;
          "is_test"?: boolean;
          "order_name"?: string | null;
          "paid_at"?: string | null;
          "shop_domain": string;
          "shopify_customer_id"?: string | null;
          "shopify_order_gid": string;
          "shopify_order_id": string;
          "status"?: Database["public"]["Enums"]["order_status"];
          "story_id"?: string | null;
          "updated_at"?: string;
          "user_id"?: string | null;
        };
        Update: {
          "book_bytes"?: number | null;
          "book_error"?: string | null;
          "book_pages"?: number | null;
          "book_path"?: string | null;
          "book_ready_at"?: string | null;
          "cancel_reason"?: string | null;
          "cancelled_at"?: string | null;
          "created_at"?: string;
          "customer_email"?: string | null;
          "delivered_at"?: string | null;
          "download_expires_at"?: string | null;
          "id"?: string;
          "is_test"?: boolean;
          "order_name"?: string | null;
          "paid_at"?: string | null;
          "shop_domain"?: string;
          "shopify_customer_id"?: string | null;
          "shopify_order_gid"?: string;
          "shopify_order_id"?: string;
          "status"?: Database["public"]["Enums"]["order_status"];
          "story_id"?: string | null;
          "updated_at"?: string;
          "user_id"?: string | null;
        };
        Relationships: [
          {
            foreignKeyName: "orders_story_id_fkey";
            columns: ["story_id"];
            isOneToOne: false;
            referencedRelation: "stories";
            referencedColumns: ["id"];
          },
        ];
      };
      "photos": {
        Row: {
          "created_at": string;
          "face_area_percent": number;
          "face_box": NonNullable<Json>;
          "face_confidence": number;
          "height": number;
          "id": string;
          "storage_path": string;
          "user_id": string;
          "width": number;
        };
        ComputedFields: never;
        Insert: {
          "created_at"?: string;
          "face_area_percent": number;
          "face_box": NonNullable<Json>;
          "face_confidence": number;
          "height": number;
          "id"?: string;
          "storage_path": string;
          "user_id": string;
          "width": number;
        };
        Update: {
          "created_at"?: string;
          "face_area_percent"?: number;
          "face_box"?: NonNullable<Json>;
          "face_confidence"?: number;
          "height"?: number;
          "id"?: string;
          "storage_path"?: string;
          "user_id"?: string;
          "width"?: number;
        };
        Relationships: [];
      };
      "stories": {
        Row: {
          "child_age": number;
          "child_name": string;
          "created_at": string;
          "dedication": string | null;
          "delivered_at": string | null;
          "expires_at": string;
          "id": string;
          "photo_id": string | null;
          "pronouns": Database["public"]["Enums"]["pronouns"];
          "purchased_at": string | null;
          "status": Database["public"]["Enums"]["story_status"];
          "style": Database["public"]["Enums"]["art_style"];
          "theme_id": string;
          "title": string;
          "updated_at": string;
          "user_id": string;
        };
        ComputedFields: never;
        Insert: {
          "child_age": number;
          "child_name": string;
          "created_at"?: string;
          "dedication"?: string | null;
          "delivered_at"?: string | null;
          "expires_at"?: string;
          "id"?: string;
          "photo_id"?: string | null;
          "pronouns": Database["public"]["Enums"]["pronouns"];
          "purchased_at"?: string | null;
          "status"?: Database["public"]["Enums"]["story_status"];
          "style": Database["public"]["Enums"]["art_style"];
          "theme_id": string;
          "title": string;
          "updated_at"?: string;
          "user_id": string;
        };
        Update: {
          "child_age"?: number;
          "child_name"?: string;
          "created_at"?: string;
          "dedication"?: string | null;
          "delivered_at"?: string | null;
          "expires_at"?: string;
          "id"?: string;
          "photo_id"?: string | null;
          "pronouns"?: Database["public"]["Enums"]["pronouns"];
          "purchased_at"?: string | null;
          "status"?: Database["public"]["Enums"]["story_status"];
          "style"?: Database["public"]["Enums"]["art_style"];
          "theme_id"?: string;
          "title"?: string;
          "updated_at"?: string;
          "user_id"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "stories_photo_id_fkey";
            columns: ["photo_id"];
            isOneToOne: false;
            referencedRelation: "photos";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "stories_theme_id_fkey";
            columns: ["theme_id"];
            isOneToOne: false;
            referencedRelation: "themes";
            referencedColumns: ["id"];
          },
        ];
      };
      "story_pages": {
        Row: {
          "attempts": number;
          "body_text": string;
          "completed_at": string | null;
          "id": string;
          "illustrated_by": string | null;
          "is_locked": boolean;
          "job_id": string | null;
          "last_error": string | null;
          "page_number": number;
          "preview_path": string | null;
          "queued_at": string | null;
          "seed": number;
          "started_at": string | null;
          "status": Database["public"]["Enums"]["page_status"];
          "story_id": string;
          "updated_at": string;
        };
        ComputedFields: never;
        Insert: {
          "attempts"?: number;
          "body_text": string;
          "completed_at"?: string | null;
          "id"?: string;
          "illustrated_by"?: string | null;
          "is_locked"?: boolean;
          "job_id"?: string | null;
          "last_error"?: string | null;
          "page_number": number;
          "preview_path"?: string | null;
          "queued_at"?: string | null;
          "seed": number;
          "started_at"?: string | null;
          "status"?: Database["public"]["Enums"]["page_status"];
          "story_id": string;
          "updated_at"?: string;
        };
        Update: {
          "attempts"?: number;
          "body_text"?: string;
          "completed_at"?: string | null;
          "id"?: string;
          "illustrated_by"?: string | null;
          "is_locked"?: boolean;
          "job_id"?: string | null;
          "last_error"?: string | null;
          "page_number"?: number;
          "preview_path"?: string | null;
          "queued_at"?: string | null;
          "seed"?: number;
          "started_at"?: string | null;
          "status"?: Database["public"]["Enums"]["page_status"];
          "story_id"?: string;
          "updated_at"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "story_pages_job_id_fkey";
            columns: ["job_id"];
            isOneToOne: false;
            referencedRelation: "generation_jobs";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "story_pages_story_id_fkey";
            columns: ["story_id"];
            isOneToOne: false;
            referencedRelation: "stories";
            referencedColumns: ["id"];
          },
        ];
      };
      "themes": {
        Row: {
          "created_at": string;
          "description": string;
          "id": string;
          "is_active": boolean;
          "max_age": number;
          "min_age": number;
          "title": string;
        };
        ComputedFields: never;
        Insert: {
          "created_at"?: string;
          "description": string;
          "id": string;
          "is_active"?: boolean;
          "max_age": number;
          "min_age": number;
          "title": string;
        };
        Update: {
          "created_at"?: string;
          "description"?: string;
          "id"?: string;
          "is_active"?: boolean;
          "max_age"?: number;
          "min_age"?: number;
          "title"?: string;
        };
        Relationships: [];
      };
    };
    Views: {
      [_ in never]: never;
    };
    Functions: {
      [_ in never]: never;
    };
    Enums: {
      "art_style": "photorealistic" | "cartoon_3d";
      "job_kind": "preview" | "print";
      "job_status": "queued" | "processing" | "completed" | "failed" | "cancelled";
      "order_status": "paid" | "cancelled";
      "page_status": "pending" | "queued" | "generating" | "done" | "failed" | "flagged";
      "pronouns": "he" | "she" | "they";
      "story_status": "queued" | "processing" | "completed" | "failed" | "expired";
    };
    CompositeTypes: {
      [_ in never]: never;
    };
  };
};

type DatabaseWithoutInternals = Omit<Database, "__InternalSupabase">;

type DefaultSchema = DatabaseWithoutInternals[Extract<keyof Database, "public">];

export type Tables<
  DefaultSchemaTableNameOrOptions extends
    | keyof (DefaultSchema["Tables"] & DefaultSchema["Views"])
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals;
  } ? keyof (
      & DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
      & DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Views"]
    )
    : never = never,
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals } ? (
    & DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    & DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Views"]
  )[TableName] extends {
    Row: infer R;
  } ? R
  : never
  : DefaultSchemaTableNameOrOptions extends keyof (DefaultSchema["Tables"] & DefaultSchema["Views"])
    ? (DefaultSchema["Tables"] & DefaultSchema["Views"])[DefaultSchemaTableNameOrOptions] extends {
      Row: infer R;
    } ? R
    : never
  : never;

export type TablesInsert<
  DefaultSchemaTableNameOrOptions extends
    | keyof DefaultSchema["Tables"]
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals;
  } ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    : never = never,
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"][TableName] extends {
    Insert: infer I;
  } ? I
  : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema["Tables"]
    ? DefaultSchema["Tables"][DefaultSchemaTableNameOrOptions] extends {
      Insert: infer I;
    } ? I
    : never
  : never;

export type TablesUpdate<
  DefaultSchemaTableNameOrOptions extends
    | keyof DefaultSchema["Tables"]
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals;
  } ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    : never = never,
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"][TableName] extends {
    Update: infer U;
  } ? U
  : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema["Tables"]
    ? DefaultSchema["Tables"][DefaultSchemaTableNameOrOptions] extends {
      Update: infer U;
    } ? U
    : never
  : never;

export type Enums<
  DefaultSchemaEnumNameOrOptions extends
    | keyof DefaultSchema["Enums"]
    | { schema: keyof DatabaseWithoutInternals },
  EnumName extends DefaultSchemaEnumNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals;
  } ? keyof DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]]["Enums"]
    : never = never,
> = DefaultSchemaEnumNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]]["Enums"][EnumName]
  : DefaultSchemaEnumNameOrOptions extends keyof DefaultSchema["Enums"]
    ? DefaultSchema["Enums"][DefaultSchemaEnumNameOrOptions]
  : never;

export type CompositeTypes<
  PublicCompositeTypeNameOrOptions extends
    | keyof DefaultSchema["CompositeTypes"]
    | { schema: keyof DatabaseWithoutInternals },
  CompositeTypeName extends PublicCompositeTypeNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals;
  } ? keyof DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions["schema"]]["CompositeTypes"]
    : never = never,
> = PublicCompositeTypeNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions["schema"]]["CompositeTypes"][CompositeTypeName]
  : PublicCompositeTypeNameOrOptions extends keyof DefaultSchema["CompositeTypes"]
    ? DefaultSchema["CompositeTypes"][PublicCompositeTypeNameOrOptions]
  : never;

export const Constants = {
  "public": {
    Enums: {
      "art_style": ["photorealistic", "cartoon_3d"],
      "job_kind": ["preview", "print"],
      "job_status": ["queued", "processing", "completed", "failed", "cancelled"],
      "order_status": ["paid", "cancelled"],
      "page_status": ["pending", "queued", "generating", "done", "failed", "flagged"],
      "pronouns": ["he", "she", "they"],
      "story_status": ["queued", "processing", "completed", "failed", "expired"],
    },
  },
} as const;
