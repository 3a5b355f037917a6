from rest_framework import serializers

from ..models import Applicant, Department, RoleAssignment, ServiceWindow, User


class DepartmentSerializer(serializers.ModelSerializer):
    # Uniqueness is checked by the model (full_clean in the service), so that the API and the
    # admin say the same thing; the serializer only shapes the data.
    code = serializers.CharField(max_length=32)
    credit_code = serializers.CharField(max_length=18, required=False, allow_null=True, allow_blank=True)

    class Meta:
        model = Department
        fields = ["id", "code", "credit_code", "name", "short_name", "kind", "parent", "address", "phone",
                  "sort_order", "is_active"]


class ServiceWindowSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceWindow
        fields = ["id", "code", "name", "department", "location", "phone", "is_active"]


class RoleAssignmentSerializer(serializers.ModelSerializer):
    role_label = serializers.CharField(source="get_role_display", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True, default=None)

    class Meta:
        model = RoleAssignment
        fields = ["role", "role_label", "department", "department_name"]


class MeSerializer(serializers.ModelSerializer):
    roles = RoleAssignmentSerializer(source="role_assignments", many=True, read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "full_name", "kind", "department", "roles"]


class ApplicantSerializer(serializers.ModelSerializer):
    id_number = serializers.CharField(max_length=18, required=False, allow_blank=True)
    credit_code = serializers.CharField(max_length=18, required=False, allow_blank=True)

    class Meta:
        model = Applicant
        fields = ["id", "kind", "name", "id_number", "credit_code", "legal_representative", "contact_name",
                  "phone", "address"]
